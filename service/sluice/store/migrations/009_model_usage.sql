-- 006: tokens used by model calls, per provider and model, summed over every worker.
--
-- Workers add their tallies every few seconds (one upsert per batch); /metrics reads the totals,
-- as it reads the queue's figures, so any API process answers for all workers.
create table model_usage (
    provider text not null,
    model text not null,
    calls bigint not null default 0,
    input_tokens bigint not null default 0,
    output_tokens bigint not null default 0,
    primary key (provider, model)
);
