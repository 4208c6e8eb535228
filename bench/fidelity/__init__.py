"""Fidelity: the same flows, the same input and the same model server, on Sluice and on Langflow's
own executor (lfx 1.13.0): do the answers match, and do the model requests?

`make fidelity` runs it (`python -m bench.fidelity`): lfx in its own virtualenv (.bench/fidelity),
Sluice in-process. The model's input is the contract, so the requests are compared in full
(messages, tools with their schemas, tool choice), not just the final texts. The requests lfx sent
for a few flows are kept in tests/data/fidelity/ for `make test`, which needs no lfx.

Modules the lfx side imports (`lfx_side`) use the standard library only.
"""
