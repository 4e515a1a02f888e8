/** The op byte of a frame (protocol.md §2.1). */
export enum Operation {
  Unknown = 0,
  Connect = 1,
  CreateMessageStream = 2,
  DeleteMessageStream = 3,
  AppendMessage = 4,
  ReadMessages = 5,
  ConnectResponse = 6,
  CreateMessageStreamResponse = 7,
  DeleteMessageStreamResponse = 8,
  AppendMessageResponse = 9,
  ReadMessagesResponse = 10,
  ListStreams = 11,
  ListStreamsResponse = 12,
  DescribeMessageStream = 13,
  DescribeMessageStreamResponse = 14,
  UpdateMessageStream = 15,
  UpdateMessageStreamResponse = 16,
  UnknownOperationError = 17,
}

/** The response op the server answers each request op with. */
export const RESPONSE_OPERATION: Readonly<Partial<Record<Operation, Operation>>> = {
  [Operation.Connect]: Operation.ConnectResponse,
  [Operation.CreateMessageStream]: Operation.CreateMessageStreamResponse,
  [Operation.DeleteMessageStream]: Operation.DeleteMessageStreamResponse,
  [Operation.AppendMessage]: Operation.AppendMessageResponse,
  [Operation.ReadMessages]: Operation.ReadMessagesResponse,
  [Operation.ListStreams]: Operation.ListStreamsResponse,
  [Operation.DescribeMessageStream]: Operation.DescribeMessageStreamResponse,
  [Operation.UpdateMessageStream]: Operation.UpdateMessageStreamResponse,
};

