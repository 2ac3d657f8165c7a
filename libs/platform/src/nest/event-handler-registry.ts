import { Injectable } from '@nestjs/common';
import { eventCatalog, Topics, type EventType } from '@offboarding/contracts';
import type { EventHandlers } from '@offboarding/messaging';

/**
 * Feature modules register the events they react to here; the service's single consumer
 * subscribes to the topics those events are published on.
 */
@Injectable()
export class EventHandlerRegistry {
  private readonly handlers: EventHandlers = {};

  on<T extends EventType>(type: T, handler: NonNullable<EventHandlers[T]>): void {
    if (this.handlers[type]) throw new Error(`a handler for ${type} is already registered`);
    (this.handlers as Record<T, EventHandlers[T]>)[type] = handler;
  }

  all(): EventHandlers {
    return { ...this.handlers };
  }

  topics(): string[] {
    const types = Object.keys(this.handlers) as EventType[];
    return [...new Set(types.map((type) => Topics[eventCatalog[type].producer]))].sort();
  }
}
