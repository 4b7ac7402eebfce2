import { createDense } from "../layers/dense.js";
import { createNetwork, type Layer, type Network } from "../layers/network.js";
import { createRng } from "../rng.js";

/**
 * A two-class network as a single-logit one: its last dense layer's two rows become their difference,
 * z = z₁ − z₀, so that sigmoid(z) = softmax(z₀, z₁)₁ — the second class's probability, which the executor's
 * binary classification post-processing computes.
 */
export function toBinaryLogit(network: Network): Network {
  const last = network.layers[network.layers.length - 1];
  if (last?.kind !== "dense" || last.outputs !== 2) throw new Error("toBinaryLogit: the last layer must be dense with two outputs");
  const single = createDense({ name: last.name, inputs: last.inputs, outputs: 1, rng: createRng(0) });
  const w = last.weight.value.data;
  for (let i = 0; i < last.inputs; i++) single.weight.value.data[i] = (w[last.inputs + i] as number) - (w[i] as number);
  single.bias.value.data[0] = (last.bias.value.data[1] as number) - (last.bias.value.data[0] as number);
  const layers: Layer[] = [...network.layers.slice(0, -1), single];
  return createNetwork(layers, network.inputShape, 1);
}
