// Drives @datastax/langflow-client (installed by tests/test_langflow_clients.py into .clients/)
// against a Sluice API: node langflow_js_client.mjs BASE_URL API_KEY CHECKS_JSON. Prints one JSON
// object with what each check saw; the Python test asserts on it.
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.env.NODE_PATH, "noop.js"));
const { LangflowClient } = await import(require.resolve("@datastax/langflow-client"));

const [baseUrl, apiKey, checksJson] = process.argv.slice(2);
const checks = JSON.parse(checksJson);
const client = new LangflowClient({ baseUrl, apiKey });
const results = {};

async function status(promise) {
  try {
    await promise;
    return 200;
  } catch (error) {
    return error.cause && error.cause.status ? error.cause.status : String(error);
  }
}

if (checks.flow) {
  const flow = client.flow(checks.flow);
  const run = await flow.run("from js");
  results.run = { text: run.chatOutputText(), session: run.sessionId };
  results.run_by_endpoint = (await client.flow(checks.endpoint).run("by endpoint")).chatOutputText();
  const tweaked = await flow.tweak("ChatOutput-out", { sender_name: "JS bot" }).run("tweaked");
  results.tweaked = tweaked.outputs[0].outputs[0].results.message.sender_name;
  const events = [];
  let streamText;
  for await (const event of await flow.stream("streamed from js")) {
    events.push(event.event);
    if (event.event === "end") {
      streamText = event.data.result.outputs[0].outputs[0].outputs.message.message;
    }
  }
  results.stream_events = events;
  results.stream_text = streamText;
  results.unknown_tweak = await status(flow.tweak("Nope-1", { x: 1 }).run("x"));
}

if (checks.chatbot) {
  const chatbot = client.flow(checks.chatbot);
  const session_id = "js-session";
  results.session = [
    (await chatbot.run("one", { session_id })).chatOutputText(),
    (await chatbot.run("two", { session_id })).chatOutputText(),
  ];
}

if (checks.upload_to) {
  const file = new Blob(["hello from js"], { type: "text/plain" });
  const uploaded = await client.flow(checks.upload_to).uploadFile(file);
  results.flow_upload = { flowId: uploaded.flowId, filePath: uploaded.filePath };
  const stored = await client.files.upload(new File(["v2 bytes"], "notes.txt", { type: "text/plain" }));
  results.file_upload = { id: stored.id, name: stored.name, size: stored.size, path: stored.path };
  results.file_list = (await client.files.list()).map((file) => file.name);
}

process.stdout.write(JSON.stringify(results));
