-- commit_one_row: pgbench's transaction for the physical limit: one row, one commit.
insert into commits (value) values (1);
