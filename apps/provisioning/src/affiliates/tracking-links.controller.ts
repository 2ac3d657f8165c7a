import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AffiliatesService } from './affiliates.service';

/** Public short links of affiliate campaigns. */
@Controller('t')
export class TrackingLinksController {
  constructor(private readonly affiliates: AffiliatesService) {}

  @Get(':code')
  async follow(@Param('code') code: string, @Res() response: Response): Promise<void> {
    const resolution = await this.affiliates.resolveTrackingLink(code);
    switch (resolution.kind) {
      case 'redirect':
        response.redirect(302, resolution.url);
        return;
      case 'gone':
        response.status(410).json({ status: 'LINK_DISABLED', message: 'this tracking link is no longer active' });
        return;
      case 'unknown':
        response.status(404).json({ status: 'UNKNOWN_LINK', message: 'no tracking link with this code' });
        return;
    }
  }
}
