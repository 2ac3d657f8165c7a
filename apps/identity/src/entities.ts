import { PortalAccessEntity } from './portal-access/portal-access.entity';

export const entities = [PortalAccessEntity];
