/**
 * OpenInference attributes of a `ChatCompletion` span: the request's messages (text and
 * content parts, images, tool calls), tools and invocation parameters; the response's
 * messages (tool calls too) and token counts. The same builder serves streamed responses,
 * once they are folded into the non-streaming shape.
 */
import { asArray, asRecord, asString, type Json } from '../response/json.js';
import type { TokenUsage } from '../response/usage.js';
import {
  inputValueAttributes,
  invocationParameters,
  outputValueAttributes,
  type RequestView,
  type ResponseView,
  tokenCountAttributes,
} from './common-attributes.js';
import {
  CONTENT_IMAGE_URL,
  type MessageSide,
  messageContentKey,
  messageKey,
  SC,
  toolCallKey,
  toolSchemaKey,
} from './keys.js';
import type { AttributeSink } from './redaction.js';

/** Fields of the request body that have attributes of their own. */
const NOT_INVOCATION_PARAMETERS = ['messages', 'tools'];

export function chatRequestAttributes(sink: AttributeSink, request: RequestView): void {
  inputValueAttributes(sink, request);
  sink.set(SC.LLM_INVOCATION_PARAMETERS, invocationParameters(request.body, NOT_INVOCATION_PARAMETERS));
  asArray(request.body['messages']).forEach((message, i) => {
    messageAttributes(sink, SC.LLM_INPUT_MESSAGES, i, asRecord(message));
  });
  asArray(request.body['tools']).forEach((tool, i) => {
    sink.set(toolSchemaKey(i), () => JSON.stringify(tool));
  });
}

export function chatResponseAttributes(
  sink: AttributeSink,
  response: ResponseView,
  usage: TokenUsage | undefined,
): void {
  outputValueAttributes(sink, response);
  asArray(response.json['choices']).forEach((choice, i) => {
    messageAttributes(sink, SC.LLM_OUTPUT_MESSAGES, i, asRecord(asRecord(choice)?.['message']));
  });
  tokenCountAttributes(sink, usage);
}

function messageAttributes(
  sink: AttributeSink,
  side: MessageSide,
  i: number,
  message: Json | undefined,
): void {
  if (!message) return;
  sink.set(messageKey(side, i, SC.MESSAGE_ROLE), asString(message['role']));
  sink.set(messageKey(side, i, SC.MESSAGE_NAME), asString(message['name']));
  sink.set(messageKey(side, i, SC.MESSAGE_TOOL_CALL_ID), asString(message['tool_call_id']));
  const content = message['content'];
  if (typeof content === 'string') {
    if (content !== '') sink.set(messageKey(side, i, SC.MESSAGE_CONTENT), content);
  } else {
    asArray(content).forEach((part, j) => {
      contentPartAttributes(sink, side, i, j, asRecord(part));
    });
  }
  asArray(message['tool_calls']).forEach((call, j) => {
    const tc = asRecord(call);
    const fn = asRecord(tc?.['function']);
    sink.set(toolCallKey(side, i, j, SC.TOOL_CALL_ID), asString(tc?.['id']));
    sink.set(toolCallKey(side, i, j, SC.TOOL_CALL_FUNCTION_NAME), asString(fn?.['name']));
    sink.set(toolCallKey(side, i, j, SC.TOOL_CALL_FUNCTION_ARGUMENTS_JSON), asString(fn?.['arguments']));
  });
}

/** Text and image parts; audio and file parts stay in `input.value` only, as in OpenInference. */
function contentPartAttributes(
  sink: AttributeSink,
  side: MessageSide,
  i: number,
  j: number,
  part: Json | undefined,
): void {
  if (!part) return;
  const type = part['type'];
  if (type === 'text') {
    sink.set(messageContentKey(side, i, j, SC.MESSAGE_CONTENT_TYPE), 'text');
    sink.set(messageContentKey(side, i, j, SC.MESSAGE_CONTENT_TEXT), asString(part['text']));
  } else if (type === 'image_url') {
    const url = asString(asRecord(part['image_url'])?.['url']);
    if (!url) return;
    sink.set(messageContentKey(side, i, j, SC.MESSAGE_CONTENT_TYPE), 'image');
    sink.set(messageContentKey(side, i, j, CONTENT_IMAGE_URL), url);
  }
}
