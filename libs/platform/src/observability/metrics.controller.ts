import { Controller, Get, Header, Res } from '@nestjs/common';
import { Metrics } from './metrics';

interface PlainResponse {
  setHeader(name: string, value: string): void;
  send(body: string): void;
}

/** Prometheus scrape endpoint of every subgraph. */
@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get('metrics')
  @Header('cache-control', 'no-store')
  async scrape(@Res() res: PlainResponse): Promise<void> {
    res.setHeader('content-type', this.metrics.contentType);
    res.send(await this.metrics.render());
  }
}
