-- Adds a worker's tally of model calls: $1 providers, $2 models, $3 calls, $4 input and $5 output tokens.
insert into model_usage as used (provider, model, calls, input_tokens, output_tokens)
select * from unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[])
on conflict (provider, model) do update
set calls = used.calls + excluded.calls,
    input_tokens = used.input_tokens + excluded.input_tokens,
    output_tokens = used.output_tokens + excluded.output_tokens
