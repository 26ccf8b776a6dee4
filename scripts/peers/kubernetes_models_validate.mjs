// Validates Kubernetes objects against the published schemas of Argo CD's, Flux's and External
// Secrets' custom resources (@kubernetes-models/argo-cd, flux-cd, external-secrets). Usage:
//   node scripts/peers/kubernetes_models_validate.mjs .peers/kubernetes-models < objects.json
// stdin: a JSON array of objects. Prints "valid <apiVersion> <kind> <name>" per object; exits 1
// with the schema's errors at the first invalid or unknown one.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = process.argv[2];
const objects = JSON.parse(readFileSync(0, "utf8"));
const packages = { "argoproj.io": "argo-cd", "external-secrets.io": "external-secrets" };

for (const object of objects) {
  const [group, version] = String(object.apiVersion).split("/");
  const pkg = packages[group] ?? (group.endsWith(".toolkit.fluxcd.io") ? "flux-cd" : null);
  const name = `${object.apiVersion} ${object.kind} ${object.metadata?.name}`;
  if (!pkg || !version) {
    console.error(`no published schema for ${name}`);
    process.exit(1);
  }
  const file = join(root, "node_modules", "@kubernetes-models", pkg, group, version, `${object.kind}.js`);
  let model;
  try {
    model = (await import(pathToFileURL(file).href))[object.kind];
  } catch (error) {
    console.error(`no published schema for ${name}: ${error.message}`);
    process.exit(1);
  }
  try {
    new model(object).validate();
  } catch (error) {
    console.error(`invalid ${name}: ${error.message}`);
    process.exit(1);
  }
  console.log(`valid ${name}`);
}
