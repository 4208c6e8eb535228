// Runs a Sluice flow through AG-UI's own TypeScript client (@ag-ui/client): its HttpAgent posts a
// Langflow 1.13 run body, then reads the stream with the client's SSE parser, its event verifier and
// its reducer, which builds the run's messages and state. Prints what the client saw, as JSON.
// Usage: node run_flow.cjs URL API_KEY BODY_JSON (with NODE_PATH naming the client's node_modules).
const { HttpAgent } = require("@ag-ui/client");

class SluiceAgent extends HttpAgent {
  constructor(config, body) {
    super(config);
    this.body = body;
  }

  // The client would post its own RunAgentInput; Sluice takes Langflow's body on this route.
  requestInit(input) {
    return { ...super.requestInit(input), body: JSON.stringify(this.body) };
  }
}

async function main() {
  const [url, key, body] = process.argv.slice(2);
  const agent = new SluiceAgent({ url, headers: { "x-api-key": key } }, JSON.parse(body));
  const events = [];
  let error = null;
  try {
    await agent.runAgent({}, { onEvent: ({ event }) => { events.push(event); } });
  } catch (failure) {
    error = String((failure && failure.message) || failure);
  }
  process.stdout.write(JSON.stringify({ events, messages: agent.messages, state: agent.state, error }));
}

main();
