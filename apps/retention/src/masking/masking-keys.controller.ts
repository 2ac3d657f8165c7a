import { Controller, Get, GoneException, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { InternalTokenGuard } from '@offboarding/platform';
import { MaskingService } from './masking.service';

/**
 * `GET /internal/masking-keys/:ref` → `{ "key": "<base64>" }` for the services masking an
 * organization (HttpMaskingKeys in libs/platform); 410 once the key is destroyed, 404 for a
 * reference that never existed. Internal token only.
 */
@Controller('internal/masking-keys')
@UseGuards(InternalTokenGuard)
export class MaskingKeysController {
  constructor(private readonly masking: MaskingService) {}

  @Get(':ref')
  async key(@Param('ref') ref: string): Promise<{ key: string }> {
    const found = await this.masking.lookup(ref);
    switch (found.kind) {
      case 'found':
        return { key: found.key.toString('base64') };
      case 'destroyed':
        throw new GoneException('this masking key was destroyed after every service confirmed its masking');
      case 'unknown':
        throw new NotFoundException('no such masking key');
    }
  }
}
