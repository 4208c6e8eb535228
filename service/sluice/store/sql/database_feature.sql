-- database_feature: whether this database has an optional feature (`vector`), and why not.
select available, detail from database_features where name = $1
