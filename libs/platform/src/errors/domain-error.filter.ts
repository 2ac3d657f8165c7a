import { Catch, type ExceptionFilter } from '@nestjs/common';
import { DomainError } from './domain-error';

/**
 * Domain refusals are answers, not failures: hand them to the GraphQL error formatter as they are,
 * instead of letting Nest log them as unhandled exceptions.
 */
@Catch(DomainError)
export class DomainErrorFilter implements ExceptionFilter {
  catch(error: DomainError): DomainError {
    return error;
  }
}
