import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

export const RECIPE_DIR = new URL('../../sample/kubernetes/', import.meta.url).pathname;

/** A manifest as parsed: kind, apiVersion and the rest, untyped (the schema check types it). */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: any };

/**
 * The kinds the recipe uses, each with its model from `kubernetes-models`: classes generated from
 * the Kubernetes OpenAPI schema, whose validate() checks types, enums and required fields.
 */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
};

/** Every YAML document of every `*.yaml` file of the recipe, with the file it came from. */
export function loadRecipe(dir = RECIPE_DIR): { file: string; manifest: Manifest }[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((document) => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
        return { file, manifest: document.toJS() as Manifest };
      }),
    );
}

/** Throws, naming the file, the kind and the failing paths, unless the manifest passes its schema. */
export function validateManifest(manifest: Manifest, file = 'manifest'): void {
  const model = MODELS[`${manifest?.apiVersion}/${manifest?.kind}`];
  if (!model) throw new Error(`${file}: no schema here for ${manifest?.apiVersion} ${manifest?.kind}`);
  try {
    new model(manifest).validate();
  } catch (error) {
    throw new Error(`${file}: ${manifest.kind} "${manifest.metadata?.name}" does not match its schema: ${(error as Error).message}`);
  }
}

/** The one manifest of `kind` in the recipe. */
export function only(recipe: readonly { manifest: Manifest }[], kind: string): Manifest {
  const found = recipe.filter((r) => r.manifest.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind} in the recipe, found ${found.length}`);
  return found[0]!.manifest;
}
