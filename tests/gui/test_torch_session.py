"""Bad input and torch's own kinds of tensors in the app on the torch engine: a saved tensor
modified in place gets torch's error, shown; a raising script keeps what it built;
float16, bfloat16 and complex values and a ``torch.compile``d region read sensibly in the
inspector."""

import pytest

from tests.gui.conftest import console_text, node_named, type_in

torch = pytest.importorskip("torch")




def functions(window) -> list:
    return sorted(d["name"] for _, d in window.model.graph.nodes(data=True)
                  if d["kind"] == "function")


def test_a_saved_tensor_modified_in_place_gets_torchs_error_shown(on_torch):
    type_in(on_torch, "w = torch.ones(2, requires_grad=True)", "y = w * 2",
            "z = y * y", "y.add_(1)")
    before = functions(on_torch)
    type_in(on_torch, "z.sum().backward()")
    message = ("one of the variables needed for gradient computation has been modified by "
               "an inplace operation")  # torch's own words
    assert f"RuntimeError: {message}" in console_text(on_torch)
    assert message in on_torch.message.text() and "e03131" in on_torch.message.styleSheet()
    assert isinstance(on_torch.session.last_error, RuntimeError)
    assert set(before) <= set(functions(on_torch))  # the graph stays
    model = on_torch.model
    assert model.graph.nodes[node_named(model, "y")]["version"] == 1


def test_a_raising_script_keeps_what_it_built(on_torch, tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("import torch\nw = torch.ones(3, requires_grad=True)\n"
                      "h = torch.tanh(w * 2)\nraise ValueError('the script gave up')\n")
    type_in(on_torch, f"app.run_file({str(script)!r})")
    assert "ValueError: the script gave up" in console_text(on_torch)
    assert {"AccumulateGrad", "MulBackward0", "TanhBackward0"} <= set(functions(on_torch))
    assert node_named(on_torch.model, "h") in on_torch.view.scene.index
    type_in(on_torch, "h.sum().backward()")  # and what it built still works
    assert on_torch.session.namespace["w"].grad is not None


@pytest.mark.parametrize(("dtype", "shown"), [("float16", "float16"), ("bfloat16", "float32"),
                                              ("complex64", "complex64")])
def test_half_bfloat16_and_complex_values_read_in_the_inspector(on_torch, dtype, shown):
    type_in(on_torch, f"v = torch.tensor([1.5, -2.0], dtype=torch.{dtype}, requires_grad=True)",
            "out = (v * v).sum()", "out.abs().backward()" if "complex" in dtype else
            "out.backward()")
    on_torch.session.select("v")
    tensor_view = on_torch.inspector.tensor_view
    assert tensor_view.fields["dtype"].text() == dtype
    assert f"·  {shown}  ·" in tensor_view.value.summary.text()  # the values as NumPy has them
    nid = on_torch.model.node_of(on_torch.session.namespace["v"])
    value, grad = on_torch.model.value(nid), on_torch.model.grad(nid)
    assert value.tolist() == [1.5, -2.0] and grad.dtype.name == shown


def test_a_compiled_region_is_one_node_with_its_note_in_the_inspector(on_torch):
    from gradviz.engines import torch_describe

    type_in(on_torch, "region = torch.compile(lambda x: (x.sin() * 2).sum(), "
                      "backend='aot_eager')",
            "w = torch.ones(3, requires_grad=True)", "loss = region(w)", "loss.backward()")
    assert on_torch.session.last_error is None, on_torch.session.last_error
    assert functions(on_torch) == ["AccumulateGrad", "CompiledFunctionBackward"]
    on_torch.session.select(on_torch.session.namespace["loss"].grad_fn)
    formula = on_torch.inspector.function_view.fields["formula"].text()
    assert formula == torch_describe.COMPILED_NOTE
