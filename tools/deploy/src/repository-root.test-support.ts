import { fileURLToPath } from "node:url";

/** The repository's root folder. */
export const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** The Kubernetes manifests' folder. */
export const kubernetesRoot = fileURLToPath(new URL("../kubernetes/", import.meta.url));
