-- xact_commits: transactions committed in the current database so far, as the statistics show them.
select xact_commit from pg_stat_database where datname = current_database()
