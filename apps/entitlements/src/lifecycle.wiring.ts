import { Injectable, type OnModuleInit } from '@nestjs/common';
import { counted, EventHandlerRegistry, JobScheduler } from '@offboarding/platform';
import { EntitlementsService } from './entitlements/entitlements.service';
import { OffboardingService } from './offboarding/offboarding.service';
import { DataLifecycleService } from './organizations/data-lifecycle.service';
import { OrganizationsService } from './organizations/organizations.service';

/** The scheduled jobs and consumed events of the entitlements service, in one place. */
@Injectable()
export class LifecycleWiring implements OnModuleInit {
  constructor(
    private readonly scheduler: JobScheduler,
    private readonly registry: EventHandlerRegistry,
    private readonly entitlements: EntitlementsService,
    private readonly offboarding: OffboardingService,
    private readonly dataLifecycle: DataLifecycleService,
    private readonly organizations: OrganizationsService,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({
      name: 'grace-period-sweep',
      schedule: '15 * * * *',
      description: 'Cancels (NON_PAYMENT) every entitlement whose non-payment grace period has ended.',
      run: async ({ now }) => counted({ entitlementsCancelled: await this.entitlements.cancelExpiredGracePeriods(now) }),
    });
    this.scheduler.register({
      name: 'offboarding-day-zero',
      schedule: '5 * * * *',
      description: 'Cancels the entitlements of offboarding cases whose day 0 has come.',
      run: async ({ now }) => counted({ offboardingCasesAtDayZero: await this.offboarding.cancelEntitlementsOnDayZero(now) }),
    });
    this.scheduler.register({
      name: 'organization-purge',
      schedule: '*/10 * * * *',
      description: 'Works off accepted purge requests in bounded batches and confirms them.',
      run: async () => counted({ purgesCompleted: await this.dataLifecycle.purgePending() }),
    });
    this.registry.on('com.offboarding.retention.pii_masking_requested.v1', (event, manager) =>
      this.dataLifecycle.onMaskingRequested(manager, event.data),
    );
    this.registry.on('com.offboarding.retention.organization_purge_requested.v1', (event, manager) =>
      this.dataLifecycle.onPurgeRequested(manager, event.data),
    );
    this.registry.on('com.offboarding.retention.offboarding_completed.v1', (event, manager) => this.organizations.onOffboardingCompleted(manager, event.data));
  }
}
