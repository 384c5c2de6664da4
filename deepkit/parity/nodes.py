"""The forward rows of ``compare``: the outputs of every layer call, in Keras's order.

A model's graph is made of nodes, one per layer call (keras/src/ops/node.py);
Keras runs them by decreasing depth (``Function._run_through_graph``), so a
layer called twice (shared weights) runs at two nodes, and a ``Sequential`` is
the chain of its layers (the functional graph it builds, ``_functional``).

- Keras side: one ``keras.Model`` from the model's inputs to the outputs of every
  node, called once in inference mode: Keras runs its own graph, training flag
  and masks included, and returns each node's outputs.
- Reference side: the nodes of the reference graph (``graph.map_graph``), each
  layer called, in inference mode, on the values of its input tensors.
- Pairing: a Keras node goes with the reference node of the same layer called on
  the counterparts of the same input tensors, by structure rather than position,
  so a difference between the two orders cannot pair the wrong calls.

A row is named by its layer; "outputs (call k)" tells a shared layer's calls apart
(k - 1 is Keras's node index of the call) and "outputs[i]" a call's output tensors.
"""

from deepkit.validation import InputError


def keras_graph(keras_model):
    """The functional graph a Keras model runs (a ``Sequential``'s inner one), or
    None for a model that has none yet (not built)."""
    import keras

    if isinstance(keras_model, keras.Sequential):
        return keras_model._functional
    return keras_model if hasattr(keras_model, "_nodes_by_depth") else None


def input_names(graph):
    """The names of a functional graph's inputs, as ``fit`` keys a dict of inputs."""
    return [x._keras_history.operation.name for x in graph.inputs]


def keras_nodes(graph):
    """The nodes of ``graph`` that call a layer, in the order Keras runs them."""
    depths = sorted(graph._nodes_by_depth, reverse=True)
    return [node for d in depths for node in graph._nodes_by_depth[d] if not node.is_input]


def pair_nodes(graph, nodes, reference_model, reference_nodes):
    """The reference node of each Keras node in ``nodes`` (see the module docstring).

    Raises:
        InputError: when the reference has no call of a layer on the counterparts
            of its inputs in Keras (the two graphs differ).
    """
    counterpart = {id(k): r for k, r in zip(graph.inputs, reference_model.inputs)}
    calls = {
        (node.layer.name, tuple(id(x) for x in node.inputs)): node
        for node in reference_nodes
        if node.inputs
    }
    pairs = []
    for node in nodes:
        name = node.operation.name
        key = (name, tuple(id(counterpart.get(id(x))) for x in node.input_tensors))
        if key not in calls:
            raise InputError(
                f"the NumPy reference has no call of layer {name!r} on the inputs Keras calls "
                "it on: the two graphs differ"
            )
        pairs.append(calls[key])
        counterpart.update((id(k), r) for k, r in zip(node.outputs, calls[key].outputs))
    return pairs


def row_labels(nodes):
    """(layer, weight) naming each output tensor of each node, in order."""
    calls = {}
    for node in nodes:
        calls[node.operation] = calls.get(node.operation, 0) + 1
    labels = []
    for node in nodes:
        call = ""
        if calls[node.operation] > 1:
            call = f" (call {node.operation._inbound_nodes.index(node) + 1})"
        several = len(node.outputs) > 1
        for i in range(len(node.outputs)):
            labels.append((node.operation.name, f"outputs{f'[{i}]' if several else ''}{call}"))
    return labels


def reference_values(reference_model, reference_nodes, xs):
    """{id(tensor): value} for every tensor of the reference graph on inputs ``xs``."""
    values = {id(tensor): x for tensor, x in zip(reference_model.inputs, xs)}
    for node in reference_nodes:
        if not node.inputs:
            continue
        args = [values[id(x)] for x in node.inputs]
        out = node.layer(args if node.many else args[0], training=False)
        for tensor, value in zip(node.outputs, out if len(node.outputs) > 1 else [out]):
            values[id(tensor)] = value
    return values


def forward_entries(keras_model, reference_model, xs):
    """(layer, weight, reference, keras) for every output of every layer call.

    Args:
        keras_model: a built Keras model.
        reference_model: its NumPy reference (``reference.from_keras``).
        xs: one array per model input, in the reference's dtype.
    """
    import keras

    from deepkit.reference.models.graph import map_graph

    graph = keras_graph(keras_model)
    nodes = keras_nodes(graph)
    reference_nodes = map_graph(reference_model.inputs, reference_model.outputs)[0]
    pairs = pair_nodes(graph, nodes, reference_model, reference_nodes)
    probe = keras.Model(list(graph.inputs), [x for node in nodes for x in node.outputs])
    keras_outputs = probe(list(xs), training=False)
    if len(probe.outputs) == 1:  # Keras returns a single output unlisted
        keras_outputs = [keras_outputs]
    values = reference_values(reference_model, reference_nodes, xs)
    references = [values[id(x)] for node in pairs for x in node.outputs]
    return [
        (layer, weight, reference, keras_value.numpy())
        for (layer, weight), reference, keras_value in zip(
            row_labels(nodes), references, keras_outputs
        )
    ]
