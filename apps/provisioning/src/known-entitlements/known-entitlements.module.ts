import { Module } from '@nestjs/common';
import { KnownEntitlementsService } from './known-entitlements.service';

@Module({ providers: [KnownEntitlementsService], exports: [KnownEntitlementsService] })
export class KnownEntitlementsModule {}
