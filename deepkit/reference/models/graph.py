"""The graph of a model: its nodes in one topological order (``map_graph``, as in
keras/src/ops/function.py), and the forward and backward passes that walk it.

Order. A depth-first walk back from the outputs lists each node once; a node's
depth is the length of the longest path from it to an output. Nodes run by
decreasing depth (the forward pass) and the backward pass walks the same list in
reverse. The layers, so the weights and the optimizer's buffers, are listed by
decreasing depth, then in the order the walk first met them: Keras's
``model.layers``. A ``Sequential`` is the special case of a chain.

Backward. The gradient of a tensor used by several nodes is the sum of what each
sends back. A layer called at several nodes (shared weights) runs each call's
backward pass with that call's attributes restored (the forward pass keeps a copy
of them per call, see ``layers/base.py``), and its weight gradients are the sum
over its calls. A node runs backward only when it has weights or an input that
needs a gradient (a model input only when the caller asks for input gradients).
"""

from typing import NamedTuple

import numpy as np

from deepkit.reference import activations
from deepkit.validation import InputError


def map_graph(inputs, outputs):
    """The nodes from ``inputs`` to ``outputs`` in running order, and the layers in
    Keras's order.

    Args:
        inputs: the input ``KerasTensor``s.
        outputs: the output ``KerasTensor``s.

    Returns:
        ``(nodes, layers)``.

    Raises:
        InputError: when an output depends on a tensor that does not come from
            ``inputs`` (the graph is disconnected).
    """
    finished, walked, first_seen = set(), [], {}

    def walk(tensor):
        node = tensor.node
        if node in finished:
            return
        if node.inputs and any(tensor is x for x in inputs):
            finished.add(node)  # an intermediate tensor given as an input: the graph starts here
            return
        first_seen.setdefault(node.layer, len(first_seen))
        for parent in node.inputs:
            walk(parent)
        finished.add(node)
        walked.append(node)

    for tensor in outputs:
        walk(tensor)
    in_graph = set(walked)
    node_depth, layer_depth = {}, {}
    for node in reversed(walked):
        depth = max(node_depth.setdefault(node, 0), layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = node_depth[node] = depth
        for parent in (x.node for x in node.inputs):
            if parent in in_graph:
                node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    for tensor in inputs:  # an unused input still belongs to the model
        if not tensor.node.inputs and tensor.node not in node_depth:
            node_depth[tensor.node] = layer_depth[tensor.node.layer] = 0
            first_seen.setdefault(tensor.node.layer, -1)
    nodes = sorted(node_depth, key=lambda n: -node_depth[n])  # stable: walk order per depth
    layers = sorted(layer_depth, key=lambda layer: (-layer_depth[layer], first_seen[layer]))
    _check_connected(inputs, nodes)
    return nodes, layers


def _check_connected(inputs, nodes):
    known = {id(x) for x in inputs}
    for node in nodes:
        for tensor in node.inputs:
            if id(tensor) not in known:
                raise InputError(
                    f"graph disconnected: layer {node.layer.name!r} needs {tensor!r}, which "
                    "is not computed from the model's inputs (pass its Input to the model)"
                )
        if not node.inputs and id(node.outputs[0]) not in known:
            raise InputError(
                f"graph disconnected: Input {node.layer.name!r} is used but is not among "
                "the model's inputs"
            )
        known.update(id(x) for x in node.outputs)


class Step(NamedTuple):
    """One node as the passes run it: value slots instead of tensors."""

    index: int
    layer: object
    inputs: tuple  # slots of the input values
    many: bool  # called on a list
    outputs: tuple  # slots of the output values
    several: bool  # returns a list
    shared: bool  # the layer has other nodes in this graph
    parts: tuple  # the objects a call sets attributes on (shared layers only)
    weighted: bool  # the layer has weights
    output: bool  # it computes an output of the model


def call_parts(layer):
    """The objects one call of ``layer`` sets attributes on: the layer, its
    sublayers and, for a model, its graph and every layer inside."""
    graph = getattr(layer, "_graph", None)
    inner = graph.layers if graph is not None else getattr(layer, "sublayers", ())
    parts = [layer] + ([graph] if graph is not None else [])
    for sublayer in inner:
        parts += call_parts(sublayer)
    return tuple(parts)


class Graph:
    """The nodes of a built model as steps over value slots, and the two passes.

    Attributes:
        layers: the layers in Keras's order (see ``map_graph``).
        nodes: the nodes in running order, input nodes included.
    """

    def __init__(self, inputs, outputs, nodes, layers):
        self.nodes, self.layers = nodes, layers
        slots = {id(x): i for i, x in enumerate(inputs)}
        self.input_slots = tuple(range(len(inputs)))
        calls = {}
        for node in nodes:
            calls[node.layer] = calls.get(node.layer, 0) + 1
        computes_output = {id(y.node) for y in outputs}
        self.steps, producer = [], {}
        for node in nodes:
            if not node.inputs:  # an Input: its value is given
                continue
            for x in node.outputs:
                slots[id(x)] = len(slots)
            shared = calls[node.layer] > 1
            step = Step(
                len(self.steps),
                node.layer,
                tuple(slots[id(x)] for x in node.inputs),
                node.many,
                tuple(slots[id(x)] for x in node.outputs),
                len(node.outputs) > 1,
                shared,
                call_parts(node.layer) if shared else (),
                bool(node.layer.weights),
                id(node) in computes_output,
            )
            producer.update((slot, step) for slot in step.outputs)
            self.steps.append(step)
        self.size = len(slots)
        self.output_slots = tuple(slots[id(x)] for x in outputs)
        self.output_sources = [(producer.get(slots[id(x)]), x.index) for x in outputs]
        self.activations = [
            activations.get(None) if step is None else _pick(step.layer.activation, step, index)
            for step, index in self.output_sources
        ]  # of each output (linear for an output that is an input)
        self._plans = {}

    # -- forward -------------------------------------------------------------------

    def forward(self, inputs, training):
        """The output values for the input values (lists); each output's logits are
        kept in ``self.logits`` for a from-logits loss."""
        values = [None] * self.size
        for slot, x in zip(self.input_slots, inputs):
            values[slot] = x
        saved, logits = {}, {}
        for step in self.steps:
            args = [values[s] for s in step.inputs]
            out = step.layer(args if step.many else args[0], training)
            for slot, value in zip(step.outputs, out if step.several else [out]):
                values[slot] = value
            if step.shared:
                saved[step.index] = [dict(vars(part)) for part in step.parts]
            if step.output:
                logits[step.index] = step.layer.logits
        self._values, self._saved = values, saved
        self.logits = [
            values[slot] if step is None else _pick(logits[step.index], step, index)
            for (step, index), slot in self._sources()
        ]
        return [values[s] for s in self.output_slots]

    def _sources(self):
        return zip(self.output_sources, self.output_slots)

    # -- backward ------------------------------------------------------------------

    def _plan(self, need_input_grad):
        """(slots that need a gradient, steps that run backward, steps whose inputs
        need a gradient)."""
        if need_input_grad not in self._plans:
            needs = [False] * self.size
            for slot in self.input_slots:
                needs[slot] = need_input_grad
            runs, propagates = [], []
            for step in self.steps:
                propagates.append(any(needs[s] for s in step.inputs))
                runs.append(step.weighted or propagates[-1])
                for slot in step.outputs:
                    needs[slot] = runs[-1]
            self._plans[need_input_grad] = needs, runs, propagates
        return self._plans[need_input_grad]

    def backward(self, grads, from_logits, need_input_grad):
        """Every layer's weight gradients from dLoss/d(each output) (dLoss/d(its logits)
        where ``from_logits``; None: no loss on that output); returns dLoss/d(each
        input), None where not needed."""
        g = [None] * self.size
        logit_grads = {}
        for ((source, _), slot), grad, logits in zip(self._sources(), grads, from_logits):
            if grad is None:
                grad = np.zeros_like(self._values[slot])
            if logits and source is not None:
                logit_grads[source.index] = _add(logit_grads.get(source.index), grad)
            else:
                g[slot] = _add(g[slot], grad)
        needs, runs, propagates = self._plan(need_input_grad)
        summed = set()
        for step in reversed(self.steps):
            upstream = [g[s] for s in step.outputs]
            logit_grad = logit_grads.get(step.index)
            if not runs[step.index] or (logit_grad is None and all(u is None for u in upstream)):
                continue
            layer, kept = step.layer, None
            if step.shared:
                for part, state in zip(step.parts, self._saved[step.index]):
                    vars(part).update(state)
                if layer in summed:
                    kept = [gradient.copy() for gradient in layer.gradients]
                summed.add(layer)
            layer.propagate = propagates[step.index]
            if logit_grad is not None:
                if upstream[0] is not None:  # the output also feeds other nodes
                    value = self._values[step.outputs[0]]
                    logit_grad = logit_grad + layer.activation.backward(
                        layer.logits, value, upstream[0]
                    )
                back = layer.backprop(logit_grad, from_logits=True)
            elif step.several:
                zeros = [np.zeros_like(self._values[s]) for s in step.outputs]
                back = layer.backprop([z if u is None else u for u, z in zip(upstream, zeros)])
            else:
                back = layer.backprop(upstream[0])
            if kept is not None:  # a shared layer: its gradients sum over its calls
                for gradient, earlier in zip(layer.gradients, kept):
                    gradient += earlier
            if back is None:
                continue
            for slot, grad in zip(step.inputs, back if step.many else [back]):
                if grad is not None and needs[slot]:
                    g[slot] = _add(g[slot], grad)
        return [g[s] for s in self.input_slots]


def _pick(value, step, index):
    """Output ``index``'s entry of a per-output ``value`` of a step returning a list."""
    return value[index] if step.several else value


def _add(total, grad):
    return grad if total is None else total + grad
