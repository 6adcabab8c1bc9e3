import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/**
 * The OpenAPI document and its pages: `/docs` (Swagger UI) and `/docs/openapi.json` (the raw
 * document). Built from the controllers' decorators, whose schemas come from the io-ts codecs.
 */
export function setupApiDocs(app: NestExpressApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('support-sla')
      .setDescription('Commands, queries and operations of the support-sla reference service. Commands return the global position they wrote; queries say how far their read model has caught up.')
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
