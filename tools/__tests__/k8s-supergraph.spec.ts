import * as fs from 'node:fs';
import * as path from 'node:path';
import { root } from './deployment-contract';

// kustomize reads files only below the kustomization, so the gateway's supergraph ConfigMap is
// generated from a copy. The copy is never edited by hand; this fails as soon as it drifts.
describe('the supergraph shipped to Kubernetes', () => {
  it('is the checked-in supergraph (else: cp apps/gateway/supergraph.graphql k8s/base/gateway/)', () => {
    const copy = fs.readFileSync(path.join(root, 'k8s/base/gateway/supergraph.graphql'), 'utf8');
    expect(copy).toBe(fs.readFileSync(path.join(root, 'apps/gateway/supergraph.graphql'), 'utf8'));
    expect(copy).toContain('type Organization');
  });
});
