import { OpenAPIGenerator } from '@orpc/openapi';
import { ZodToJsonSchemaConverter } from '@orpc/zod/zod4';
import { contract } from '../../shared/contract/index.js';
import { EDGECAB_VERSION } from '../core/index.js';

/** The northbound OpenAPI document, generated from the one contract. */
export async function buildOpenApiDocument(): Promise<unknown> {
  const generator = new OpenAPIGenerator({ schemaConverters: [new ZodToJsonSchemaConverter()] });
  return generator.generate(contract, {
    info: {
      title: 'EdgeCab northbound API',
      version: EDGECAB_VERSION,
      description:
        'Sites, regions and the audit log of EdgeCab. Errors are RFC 9457 problem documents (application/problem+json); ' +
        'a 400 lists every rejected field under "errors". GET /events is a server-sent event stream.',
    },
    servers: [{ url: '/api/v1' }],
  });
}
