import { Injectable } from '@nestjs/common';
import { eventCatalog, eventSubscriptions, type ServiceName, Topics, type EventType } from '@offboarding/contracts';
import type { BatchEventHandlers, EventHandlers } from '@offboarding/messaging';

/**
 * Feature modules register the events they react to here; the service's single consumer
 * subscribes to the topics those events are published on.
 */
@Injectable()
export class EventHandlerRegistry {
  private readonly handlers: EventHandlers = {};
  private readonly batches: BatchEventHandlers = {};

  on<T extends EventType>(type: T, handler: NonNullable<EventHandlers[T]>): void {
    if (this.handlers[type]) throw new Error(`a handler for ${type} is already registered`);
    (this.handlers as Record<T, EventHandlers[T]>)[type] = handler;
  }

  /**
   * The set-based form of a registered handler, for runs of consecutive events of its type (see
   * BatchEventHandler); the one-event handler stays the fall-back.
   */
  onBatch<T extends EventType>(type: T, handler: NonNullable<BatchEventHandlers[T]>): void {
    if (!this.handlers[type]) throw new Error(`register the one-event handler for ${type} before its batch form`);
    if (this.batches[type]) throw new Error(`a batch handler for ${type} is already registered`);
    (this.batches as Record<T, BatchEventHandlers[T]>)[type] = handler;
  }

  all(): EventHandlers {
    return { ...this.handlers };
  }

  allBatches(): BatchEventHandlers {
    return { ...this.batches };
  }

  /**
   * The topics to subscribe to. Refuses a subscription the contracts do not declare for this
   * service, so the generated AsyncAPI document always says who consumes what.
   */
  topics(service: ServiceName): string[] {
    const types = Object.keys(this.handlers) as EventType[];
    const producers = [...new Set(types.map((type) => eventCatalog[type].producer))];
    const undeclared = producers.filter((producer) => !eventSubscriptions[service].includes(producer));
    if (undeclared.length > 0) {
      throw new Error(
        `${service} handles events of ${undeclared.join(', ')} but eventSubscriptions in libs/contracts does not declare it`,
      );
    }
    return producers.map((producer) => Topics[producer]).sort();
  }
}
