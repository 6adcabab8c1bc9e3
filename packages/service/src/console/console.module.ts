import { Module } from '@nestjs/common';
import { SupportModule } from '../support.module';
import { ConsoleController } from './console.controller';
import { ConsoleFiles } from './console-files';
import { PublicStatusService } from './status.query';

/** The web console's static files (`/console/`) and the public status (`/status`). */
@Module({
  imports: [SupportModule],
  controllers: [ConsoleController],
  providers: [{ provide: ConsoleFiles, useFactory: () => new ConsoleFiles() }, PublicStatusService],
})
export class ConsoleModule {}
