-- Model calls and tokens used so far, per provider and model.
select provider, model, calls, input_tokens, output_tokens from model_usage order by provider, model
