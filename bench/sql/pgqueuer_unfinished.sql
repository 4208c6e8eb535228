-- pgqueuer_unfinished: pgqueuer deletes a job when it finishes, so every row left is unfinished.
select count(*) from pgqueuer
