'use strict';
// Runs a state machine definition on aws-local-stepfunctions (npm, pinned in
// package.json), with every Task state wired to a local stand-in:
//
//   lambda:invoke            -> the real function binary under `cargo lambda watch`
//                               (its Invoke API on 127.0.0.1), optional injected
//                               service faults first (Lambda.ServiceException, ...)
//   bedrock:invokeModel      -> scripted Anthropic Messages bodies or Bedrock errors
//   sqs:sendMessage(.waitForTaskToken) -> moto's SQS on 127.0.0.1 (and a scripted
//                               reviewer answer for the task token)
//   aws-sdk:s3:putObject     -> moto's S3 on 127.0.0.1
//
// Input (stdin): {definition, lambda_port, moto_port, scenarios: [...]}.
// Output (stdout): one result per scenario, in order.
//
// Where the executor differs from Step Functions, this harness makes it behave
// like Step Functions (each patch is applied to the library's source text at
// load time and fails loudly if the text is not found, so an upgrade cannot
// silently drop one):
//
//   1. Intrinsic functions strip every backslash from the strings they return
//      (`States.JsonToString` of data holding a quote gives invalid JSON).
//      Step Functions only unescapes *literal* arguments ('it\'s'): the patch
//      moves the unescaping there and returns results untouched.
//   2. Any error that is not a Task/Fail error (a JSON.parse SyntaxError in
//      States.StringToJson, a TypeError, ...) was catchable by States.ALL. On
//      Step Functions such failures are States.Runtime, which no Catch or Retry
//      matches: here too, now (errors without an explicit `isCatchable` are
//      uncatchable; the library's own States.Runtime already was).
//   3. The 256 KiB limit: every state's effective input (after InputPath and
//      Parameters) and its output (after ResultSelector, ResultPath and
//      OutputPath) are measured; over 262,144 bytes (UTF-8 JSON) the state fails
//      with States.DataLimitExceeded, uncatchable and not retried. Task handlers
//      measure what they receive and return, too.
//   4. An indefinite JSONPath ($.a[*].b, filters, ..) always yields an array in
//      Step Functions (empty when nothing matches); jsonpath-plus with
//      `wrap: false` returned a bare value for one match and nothing for none.
//   5. Node 20 lacks Promise.withResolvers (the library declares Node >= 22).

const fs = require('fs');
const path = require('path');
const Module = require('module');
const http = require('http');

if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const STATE_LIMIT_BYTES = 262144;

function byteSize(value) {
  return Buffer.byteLength(JSON.stringify(value === undefined ? null : value), 'utf8');
}

/** An error as a Task failure: catchable and retryable, like a service or function error. */
function taskError(name, cause) {
  const error = new Error(typeof cause === 'string' ? cause : JSON.stringify(cause));
  error.name = name;
  Object.defineProperty(error, 'isCatchable', { value: true });
  Object.defineProperty(error, 'isRetryable', { value: true });
  return error;
}

/** An error Step Functions would not let any Catch or Retry handle. */
function uncatchable(name, cause) {
  const error = new Error(cause);
  error.name = name;
  Object.defineProperty(error, 'isCatchable', { value: false });
  Object.defineProperty(error, 'isRetryable', { value: false });
  return error;
}

const limitViolations = [];
globalThis.__harnessCheckSize = function checkSize(stateName, what, value) {
  const bytes = byteSize(value);
  if (bytes > STATE_LIMIT_BYTES) {
    limitViolations.push({ state: stateName, what, bytes });
    throw uncatchable(
      'States.DataLimitExceeded',
      `The ${what} of state ${stateName} is ${bytes} bytes, over the ${STATE_LIMIT_BYTES}-byte limit.`,
    );
  }
};

function patched(source, from, to) {
  const count = source.split(from).length - 1;
  if (count !== 1) {
    throw new Error(`aws-local-stepfunctions patch: expected 1 occurrence of ${JSON.stringify(from)}, found ${count}`);
  }
  return source.replace(from, () => to);
}

function loadExecutor() {
  const file = require.resolve('aws-local-stepfunctions', {
    paths: [path.resolve(__dirname, '..', '..', '..')],
  });
  let source = fs.readFileSync(file, 'utf8');
  // 1. backslashes: unescape literal arguments, leave results alone.
  source = patched(
    source,
    '      return arg.slice(1, lastSingleQuote);',
    '      return arg.slice(1, lastSingleQuote).replace(/\\\\(.)/g, "$1");',
  );
  source = patched(source, '      result = result.replaceAll("\\\\", "");\n', '');
  // 2. errors that are not Task/Fail errors are uncatchable (States.Runtime).
  source = patched(source, 'const catchable = error.isCatchable ?? true;', 'const catchable = error.isCatchable ?? false;');
  source = patched(source, 'const retryable = error.isRetryable ?? true;', 'const retryable = error.isRetryable ?? false;');
  // 3. the 256 KiB state limit.
  source = patched(
    source,
    '      const processedInput = this.processInput(input, context);\n',
    '      const processedInput = this.processInput(input, context);\n' +
      '      globalThis.__harnessCheckSize(this.stateName, "effective input", processedInput);\n',
  );
  source = patched(
    source,
    '      const processedResult = this.processResult(currResult, rawInput, context);\n',
    '      const processedResult = this.processResult(currResult, rawInput, context);\n' +
      '      globalThis.__harnessCheckSize(this.stateName, "output", processedResult);\n',
  );
  // 4. indefinite paths always give arrays.
  const indefinite = '/\\[\\*\\]|\\.\\.|\\[\\?\\(|\\[[^\\]]*[:,][^\\]]*\\]/.test(pathExpression)';
  source = patched(
    source,
    'JSONPath)({ path: pathExpression.slice(1), json: context ?? null, wrap: false });',
    `JSONPath)({ path: pathExpression.slice(1), json: context ?? null, wrap: ${indefinite} });`,
  );
  source = patched(
    source,
    'JSONPath)({ path: pathExpression, json, wrap: false });',
    `JSONPath)({ path: pathExpression, json, wrap: ${indefinite} });`,
  );
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  m._compile(source, file);
  return m.exports;
}

function request(port, method, urlPath, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: urlPath, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.setTimeout(120000, () => req.destroy(new Error(`no answer from 127.0.0.1:${port}${urlPath}`)));
    req.on('error', reject);
    req.end(body);
  });
}

function motoAuth(service) {
  return `AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

/** Every Task state of a definition (Map item processors included): name -> state. */
function taskStates(definition, out = {}) {
  for (const [name, state] of Object.entries(definition.States || {})) {
    if (state.Type === 'Task') out[name] = state;
    for (const processor of [state.ItemProcessor, state.Iterator]) {
      if (processor) taskStates(processor, out);
    }
    for (const branch of state.Branches || []) taskStates(branch, out);
  }
  return out;
}

/** Problems a real Bedrock would reject the request for (Anthropic Messages API). */
function requestProblems(body) {
  const problems = [];
  if (!body || typeof body !== 'object') return ['Body is not an object'];
  if (body.anthropic_version !== 'bedrock-2023-05-31') problems.push('anthropic_version');
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1 || body.max_tokens > 8192) {
    problems.push(`max_tokens ${body.max_tokens} (1..8192, the fallback model's output limit)`);
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) problems.push('messages');
  else {
    if (body.messages[0].role !== 'user') problems.push('the first message must be the user\'s');
    for (const m of body.messages) {
      const ok = typeof m.content === 'string' ? m.content.length > 0 : Array.isArray(m.content) && m.content.length > 0;
      if (!ok) problems.push(`empty ${m.role} message`);
      if (typeof m.content === 'string' && m.role === 'assistant' && /\s$/.test(m.content)) {
        problems.push('an assistant prefill may not end in whitespace');
      }
    }
  }
  if (body.tool_choice) {
    const names = (body.tools || []).map((t) => t.name);
    if (body.tool_choice.type === 'tool' && !names.includes(body.tool_choice.name)) problems.push('tool_choice names no tool');
    for (const t of body.tools || []) {
      if (!t.input_schema || t.input_schema.type !== 'object') problems.push(`tool ${t.name} has no object input_schema`);
    }
  }
  return problems;
}

function userText(body) {
  const first = (body.messages || [])[0] || {};
  if (typeof first.content === 'string') return first.content;
  return (first.content || []).map((b) => b.text || '').join('');
}

async function runScenario(lib, definition, options, scenario) {
  limitViolations.length = 0;
  const record = {
    name: scenario.name,
    model_requests: [],
    lambda_calls: [],
    sqs: [],
    s3: [],
    attempts: {},
    request_problems: [],
  };
  const modelScript = JSON.parse(JSON.stringify(scenario.models || {}));
  for (const key of Object.keys(modelScript)) modelScript[key] = modelScript[key].filter((a) => a !== null);
  const faults = JSON.parse(JSON.stringify(scenario.lambda_faults || {}));
  // Answers a function gives instead of calling it: outputs no real function
  // gives, to reach a workflow's defensive branches.
  const outputs = JSON.parse(JSON.stringify(scenario.lambda_outputs || {}));
  const reviews = JSON.parse(JSON.stringify(scenario.reviews || []));
  const handlers = {};
  const taskEvents = [];
  const started = Date.now();
  record.lambda_ms = 0;
  for (const [name, state] of Object.entries(taskStates(definition))) {
    const resource = state.Resource;
    let handle;
    if (resource === 'arn:aws:states:::lambda:invoke') {
      handle = async (input) => {
        const payloadText = JSON.stringify(input.Payload);
        const pending = faults[name] || [];
        const at = pending.findIndex((f) => typeof f === 'string' || !f.when || payloadText.includes(f.when));
        const fault = at < 0 ? null : [pending.splice(at, 1)[0]].map((f) => (typeof f === 'string' ? f : f.error))[0];
        const fn = String(input.FunctionName).split(':').pop();
        record.lambda_calls.push({ state: name, function: fn, payload: input.Payload, injected: fault || null });
        if (fault) throw taskError(fault, { errorType: fault, errorMessage: `injected ${fault}` });
        const scripted = (outputs[name] || []).shift();
        if (scripted !== undefined) return { ExecutedVersion: '$LATEST', Payload: scripted, StatusCode: 200 };
        const t0 = Date.now();
        const res = await request(
          options.lambda_port,
          'POST',
          `/2015-03-31/functions/${fn}/invocations`,
          { 'Content-Type': 'application/json' },
          JSON.stringify(input.Payload),
        );
        record.lambda_ms += Date.now() - t0;
        let payload;
        try {
          payload = JSON.parse(res.body);
        } catch (e) {
          throw taskError('Lambda.ServiceException', `the function answered ${res.status} with no JSON`);
        }
        // The emulator answers a function error with HTTP 500; Step Functions
        // reports it under the function's errorType, with the error payload as Cause.
        if (res.status !== 200 || res.headers['x-amz-function-error']) {
          throw taskError(payload.errorType || 'Lambda.Unknown', payload);
        }
        return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
      };
    } else if (resource === 'arn:aws:states:::bedrock:invokeModel') {
      handle = async (input) => {
        const body = input.Body;
        record.model_requests.push({ state: name, model: input.ModelId, body });
        const problems = requestProblems(body);
        if (problems.length) record.request_problems.push({ state: name, problems });
        const script = modelScript[name] || [];
        const text = userText(body);
        const at = script.findIndex((a) => !a.when || text.includes(a.when));
        if (at < 0) throw taskError('Harness.NoScriptedAnswer', `no scripted answer left for ${name}`);
        const answer = script[at];
        if (!(answer.repeat > 1)) script.splice(at, 1);
        else answer.repeat -= 1;
        if (answer.error) throw taskError(`Bedrock.${answer.error}`, answer.cause || `${answer.error} (scripted)`);
        const answerBody = JSON.parse(JSON.stringify(answer.body));
        if (answer.copy_tokens) {
          // A model that copies the tokens it was given, as the prompt asks.
          const tokens = [...new Set(text.match(/<[A-Z]+_[0-9a-f]{8}>/g) || [])].join(' ');
          const fill = (v) => {
            if (typeof v === 'string') return v.replace('{tokens}', tokens);
            if (Array.isArray(v)) return v.map(fill);
            if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
            return v;
          };
          answerBody.content = fill(answerBody.content || []);
        }
        return { Body: answerBody, ContentType: 'application/json' };
      };
    } else if (resource.startsWith('arn:aws:states:::sqs:sendMessage')) {
      handle = async (input) => {
        const bodyText = typeof input.MessageBody === 'string' ? input.MessageBody : JSON.stringify(input.MessageBody);
        const res = await request(
          options.moto_port,
          'POST',
          '/',
          { 'X-Amz-Target': 'AmazonSQS.SendMessage', 'Content-Type': 'application/x-amz-json-1.0', Authorization: motoAuth('sqs') },
          JSON.stringify({ QueueUrl: input.QueueUrl, MessageBody: bodyText }),
        );
        if (res.status !== 200) throw taskError('SQS.SdkClientException', `moto SQS answered ${res.status}`);
        record.sqs.push({ state: name, queue: input.QueueUrl, body: JSON.parse(bodyText) });
        const sent = JSON.parse(res.body);
        if (resource.endsWith('.waitForTaskToken')) {
          const review = reviews.shift();
          if (!review) throw taskError('Harness.NoScriptedReview', `no scripted reviewer answer for ${name}`);
          if (review.error) throw taskError(review.error, review.cause || '');
          return review.output;
        }
        return { MessageId: sent.MessageId, MD5OfMessageBody: sent.MD5OfMessageBody };
      };
    } else if (resource === 'arn:aws:states:::aws-sdk:s3:putObject') {
      handle = async (input) => {
        const body = typeof input.Body === 'string' ? input.Body : JSON.stringify(input.Body);
        const res = await request(
          options.moto_port,
          'PUT',
          `/${input.Bucket}/${input.Key}`,
          { Authorization: motoAuth('s3'), 'Content-Type': input.ContentType || 'application/octet-stream' },
          body,
        );
        if (res.status !== 200) throw taskError('S3.S3Exception', `moto S3 answered ${res.status}`);
        record.s3.push({ state: name, bucket: input.Bucket, key: input.Key, bytes: Buffer.byteLength(body) });
        return { ETag: res.headers.etag };
      };
    } else {
      handle = async () => {
        throw uncatchable('Harness.UnknownResource', `no stand-in for ${resource}`);
      };
    }
    handlers[name] = async (input) => {
      record.attempts[name] = (record.attempts[name] || 0) + 1;
      globalThis.__harnessCheckSize(name, 'task input', input);
      // Step Functions records what a task was sent and what it returned.
      taskEvents.push({ type: 'TaskScheduled', state: name, parameters: input });
      const result = await handle(input);
      globalThis.__harnessCheckSize(name, 'task result', result);
      taskEvents.push({ type: 'TaskSucceeded', state: name, output: result });
      return result;
    };
  }
  // Retries wait 1 ms instead of their interval, so a run with every retry
  // takes no real time; the attempt counts are unchanged.
  const retryIntervalOverrides = {};
  for (const name of Object.keys(handlers)) retryIntervalOverrides[name] = 1;
  for (const [name, state] of Object.entries(definition.States)) if (state.Type === 'Map') retryIntervalOverrides[name] = 1;

  const machine = new lib.StateMachine(definition, { validationOptions: { checkArn: false } });
  const executionId = `arn:aws:states:us-east-1:123456789012:execution:${options.machine_name}:${scenario.execution_name || scenario.name}`;
  const execution = machine.run(scenario.input, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
    context: {
      Execution: { Id: executionId, Name: scenario.execution_name || scenario.name },
      StateMachine: { Id: `arn:aws:states:us-east-1:123456789012:stateMachine:${options.machine_name}`, Name: options.machine_name },
      Task: { Token: `token-${scenario.name}` },
    },
  });
  const events = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  try {
    record.output = await execution.result;
    record.status = 'SUCCEEDED';
  } catch (error) {
    const cause = error.cause || error;
    record.status = 'FAILED';
    record.error = { Error: cause.name, Cause: cause.message };
    // A run that ends any other way than through a Fail state ended on an
    // error no Catch could take: on Step Functions, no dead-letter message.
    record.uncatchable = !(cause.constructor && cause.constructor.name === 'FailStateError');
  }
  await collecting;
  record.execution_id = executionId;
  record.duration_ms = Date.now() - started;
  record.limit_violations = [...limitViolations];
  record.visited = events.filter((e) => e.type === 'StateEntered' && e.index === undefined).map((e) => e.state.name);
  const items = {};
  for (const e of events) {
    if (e.type === 'StateEntered' && e.index !== undefined) (items[e.index] = items[e.index] || []).push(e.state.name);
  }
  record.item_visits = items;
  record.retries = events.filter((e) => e.type === 'StateRetried').map((e) => e.state.name);
  record.caught = events.filter((e) => e.type === 'StateCaught').map((e) => ({ state: e.state.name, next: e.catch.catcher.Next }));
  let largest = 0;
  for (const e of events) {
    if (e.state) largest = Math.max(largest, byteSize(e.state.input), e.state.output === undefined ? 0 : byteSize(e.state.output));
  }
  record.largest_state_bytes = largest;
  // The recorded history, as Step Functions would keep it: every state's input and output.
  record.history = [...events, ...taskEvents];
  return record;
}

async function main() {
  const input = JSON.parse(fs.readFileSync(0, 'utf8'));
  const lib = loadExecutor();
  const definition = JSON.parse(input.definition);
  const results = [];
  for (const scenario of input.scenarios) {
    results.push(await runScenario(lib, definition, input, scenario));
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((e) => {
  process.stderr.write(`harness: ${e && e.stack ? e.stack : e}\n`);
  process.exit(2);
});
