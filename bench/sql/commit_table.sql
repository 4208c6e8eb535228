-- commit_table: the one-row-per-commit table of the physical-limit benchmark.
create table commits (id bigint generated always as identity primary key, value int not null);
