// The API's request log: one line per request, written once it is answered, naming the request and the answer.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Fastify's log controller with its two lines per request (received, completed) made one (completed, with the request). */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
