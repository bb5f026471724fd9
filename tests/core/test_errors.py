"""Every misuse raises torch's exception type with torch's message.

Each case is one expression over ``lib``: it runs with ``lib = gradviz`` and must raise
the given type with the given message (torch's text, with ``torch.`` type names spelled
``gradviz.``); when torch is installed it also runs with ``lib = torch``, which must raise
the same, so the expected text is torch's own. Cases whose fix belongs to a module outside
this suite's owner are strict xfails naming that module: they turn into failures (to be
unmarked) as soon as the module is fixed.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest

import gradviz


class Case(NamedTuple):
    name: str
    expr: str
    exc: type
    message: str
    outside: str | None = None  # the module whose bug keeps this case from passing
    first_sentence: bool = False  # compare up to the first ". " only


CASES = [
    Case('dtype_str', 'lib.ones(2, dtype="float")',
         TypeError, "ones(): argument 'dtype' must be gradviz.dtype, not str"),
    Case('dtype_int', 'lib.zeros(2, dtype=3)',
         TypeError, "zeros(): argument 'dtype' must be gradviz.dtype, not int"),
    Case('dtype_str_tensor', 'lib.tensor([1], dtype="int64")',
         TypeError, "tensor(): argument 'dtype' must be gradviz.dtype, not str"),
    Case('dtype_numpy_type', 'lib.ones(2, dtype=np.float32)',
         TypeError, "ones(): argument 'dtype' must be gradviz.dtype, not type"),
    Case('dtype_none_like', 'lib.ones_like(lib.ones(2), dtype="int")',
         TypeError, "ones_like(): argument 'dtype' must be gradviz.dtype, not str"),
    Case('from_numpy_str', 'lib.from_numpy(np.array(["a"]))',
         TypeError, "can't convert np.ndarray of type numpy.str_.", first_sentence=True),
    Case('from_numpy_obj', 'lib.from_numpy(np.array([object()]))',
         TypeError, "can't convert np.ndarray of type numpy.object_.", first_sentence=True),
    Case('from_numpy_list', 'lib.from_numpy([1, 2])',
         TypeError, 'expected np.ndarray (got list)'),
    Case('tensor_str', 'lib.tensor("abc")',
         TypeError, "new(): invalid data type 'str'"),
    Case('tensor_none', 'lib.tensor(None)',
         RuntimeError, 'Could not infer dtype of NoneType'),
    Case('tensor_ragged', 'lib.tensor([[1], [2, 3]])',
         ValueError, 'expected sequence of length 1 at dim 1 (got 2)'),
    Case('tensor_ragged_deep', 'lib.tensor([[[1, 2], [3, 4]], [[1, 2], [3]]])',
         ValueError, 'expected sequence of length 2 at dim 2 (got 1)'),
    Case('tensor_not_seq', 'lib.tensor([[1], 2])',
         TypeError, 'not a sequence'),
    Case('tensor_str_item', 'lib.tensor(["a"])',
         ValueError, "too many dimensions 'str'"),
    Case('tensor_mixed_str', 'lib.tensor([1, "a"])',
         TypeError, "new(): invalid data type 'str'"),
    Case('tensor_dict', 'lib.tensor({1: 2})',
         RuntimeError, 'Could not infer dtype of dict'),
    Case('tensor_of_tensors', 'lib.tensor([lib.ones(2), lib.ones(2)])',
         ValueError, 'only one element tensors can be converted to Python scalars'),
    Case('size_str', 'lib.ones("a")',
         TypeError, "ones(): argument 'size' (position 1) must be tuple of ints, not str"),
    Case('size_float', 'lib.ones(2.5)',
         TypeError, "ones(): argument 'size' (position 1) must be tuple of ints, not float"),
    Case('size_none', 'lib.zeros(None)',
         TypeError, "zeros(): argument 'size' (position 1) must be tuple of ints, not NoneType"),
    Case('size_bad_second', 'lib.ones(2, "a")',
         TypeError, ("ones(): argument 'size' failed to unpack the object at pos 2 with error "
                     '"type must be tuple of ints,but got str"')),
    Case('size_bad_in_list', 'lib.randn([2, 3, None])',
         TypeError, ("randn(): argument 'size' failed to unpack the object at pos 3 with error "
                     '"type must be tuple of ints,but got NoneType"')),
    Case('size_bad_first_in_list', 'lib.zeros([2.5])',
         TypeError, ("zeros(): argument 'size' (position 1) must be tuple of ints, but found "
                     'element of type float at pos 0')),
    Case('size_negative', 'lib.ones(2, -1)',
         RuntimeError, 'Trying to create tensor with negative dimension -1: [2, -1]'),
    Case('zeros_negative', 'lib.zeros(2, -3)',
         RuntimeError, 'zeros: Dimension size must be non-negative.'),
    Case('zeros_negative_tuple_long', 'lib.zeros((-1,), dtype=lib.long, requires_grad=False)',
         RuntimeError, 'zeros: Dimension size must be non-negative.'),
    Case('zeros_like_list', 'lib.zeros_like([1, 2])',
         TypeError, "zeros_like(): argument 'input' (position 1) must be Tensor, not list"),
    Case('ones_like_array', 'lib.ones_like(np.ones(2))',
         TypeError, ("ones_like(): argument 'input' (position 1) must be Tensor, not "
                     'numpy.ndarray')),
    Case('empty_like_none', 'lib.empty_like(None)',
         TypeError, "empty_like(): argument 'input' (position 1) must be Tensor, not NoneType"),
    Case('full_like_list', 'lib.full_like([1], 2)',
         TypeError, "full_like(): argument 'input' (position 1) must be Tensor, not list"),
    Case('rand_like_list', 'lib.rand_like([1.0])',
         TypeError, "rand_like(): argument 'input' (position 1) must be Tensor, not list"),
    Case('randn_like_float', 'lib.randn_like(1.0)',
         TypeError, "randn_like(): argument 'input' (position 1) must be Tensor, not float"),
    Case('eye_negative_columns', 'lib.eye(2, -1)',
         RuntimeError, 'm must be greater or equal to 0, got -1'),
    Case('eye_negative_both', 'lib.eye(-1, -2)',
         RuntimeError, 'n must be greater or equal to 0, got -1'),
    Case('set_grad_enabled_str', 'lib.set_grad_enabled("a")',
         TypeError, "set_grad_enabled(): argument 'enabled' (position 1) must be bool, not str"),
    Case('set_grad_enabled_int', 'lib.set_grad_enabled(1)',
         TypeError, "set_grad_enabled(): argument 'enabled' (position 1) must be bool, not int"),
    Case('device_unknown', 'lib.device("gpu")',
         RuntimeError, ('Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, '
                        'hip, ve, fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, '
                        'privateuseone device type at start of device string: gpu')),
    Case('device_upper_case', 'lib.device("CPU")',
         RuntimeError, ('Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, '
                        'hip, ve, fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, '
                        'privateuseone device type at start of device string: CPU')),
    Case('device_bad_index', 'lib.device("cpu:x")',
         RuntimeError, "Invalid device string: 'cpu:x'"),
    Case('device_no_index', 'lib.device("cuda:")',
         RuntimeError, "Invalid device string: 'cuda:'"),
    Case('device_empty', 'lib.device("")',
         RuntimeError, 'Device string must not be empty'),
    Case('to_a_dtype_name', 'lib.ones(2).to("float32")',
         RuntimeError, "Invalid device string: 'float32'"),
    Case('factory_device_unknown', 'lib.ones(2, device="gpu")',
         RuntimeError, ('Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, '
                        'hip, ve, fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, '
                        'privateuseone device type at start of device string: gpu')),
    Case('type_python_name', 'lib.ones(2).type("float")',
         ValueError, "invalid type: 'float'"),
    Case('requires_grad_int_factory', 'lib.ones(2, dtype=lib.int64, requires_grad=True)',
         RuntimeError, 'Only Tensors of floating point and complex dtype can require gradients'),
    Case('requires_grad_int_tensor', 'lib.tensor([1, 2], requires_grad=True)',
         RuntimeError, 'Only Tensors of floating point and complex dtype can require gradients'),
    Case('requires_grad_int_method', 'lib.tensor([1, 2]).requires_grad_()',
         RuntimeError, 'only Tensors of floating point dtype can require gradients'),
    Case('requires_grad_not_bool', 'lib.ones(2).requires_grad_(1)',
         TypeError, ("requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                     'int')),
    Case('matmul_list_first', 'lib.matmul([1, 2], lib.ones(2))',
         TypeError, "matmul(): argument 'input' (position 1) must be Tensor, not list"),
    Case('matmul_list_second', 'lib.matmul(lib.ones(2), [1, 2])',
         TypeError, "matmul(): argument 'other' (position 2) must be Tensor, not list"),
    Case('matmul_shapes', 'lib.matmul(lib.ones(2, 3), lib.ones(2, 3))',
         RuntimeError, 'mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)'),
    Case('matmul_scalar', 'lib.matmul(lib.tensor(1.0), lib.ones(2))',
         RuntimeError, 'both arguments to matmul need to be at least 1D, but they are 0D and 1D'),
    Case('matmul_operator_list', 'lib.ones(2) @ [1, 2]',
         TypeError, "unsupported operand type(s) for @: 'Tensor' and 'list'"),
    Case('mm_vectors', 'lib.mm(lib.ones(2), lib.ones(2))',
         RuntimeError, 'self must be a matrix'),
    Case('add_str', 'lib.ones(2) + "a"',
         TypeError, "unsupported operand type(s) for +: 'Tensor' and 'str'"),
    Case('radd_str', '"a" + lib.ones(2)',
         TypeError, 'can only concatenate str (not "Tensor") to str'),
    Case('mul_str', 'lib.ones(2) * "a"',
         TypeError, 'only integer tensors of a single element can be converted to an index'),
    Case('sub_none', 'lib.ones(2) - None',
         TypeError, "unsupported operand type(s) for -: 'Tensor' and 'NoneType'"),
    Case('div_list', 'lib.ones(2) / [1, 2]',
         TypeError, "unsupported operand type(s) for /: 'Tensor' and 'list'"),
    Case('add_list', 'lib.ones(2) + [1, 2]',
         TypeError, "unsupported operand type(s) for +: 'Tensor' and 'list'"),
    Case('pow_str', 'lib.ones(2) ** "a"',
         TypeError, "unsupported operand type(s) for ** or pow(): 'Tensor' and 'str'"),
    Case('lt_str', 'lib.ones(2) < "a"',
         TypeError, "'<' not supported between instances of 'Tensor' and 'str'"),
    Case('torch_add_str', 'lib.add(lib.ones(2), "a")',
         TypeError, "add(): argument 'other' (position 2) must be Tensor, not str"),
    Case('torch_mul_none', 'lib.mul(lib.ones(2), None)',
         TypeError, "mul(): argument 'other' (position 2) must be Tensor, not NoneType"),
    Case('torch_exp_list', 'lib.exp([1.0, 2.0])',
         TypeError, "exp(): argument 'input' (position 1) must be Tensor, not list"),
    Case('torch_exp_float', 'lib.exp(2.0)',
         TypeError, "exp(): argument 'input' (position 1) must be Tensor, not float"),
    Case('torch_sin_str', 'lib.sin("a")',
         TypeError, "sin(): argument 'input' (position 1) must be Tensor, not str"),
    Case('method_add_str', 'lib.ones(2).add("a")',
         TypeError, "add(): argument 'other' (position 1) must be Tensor, not str"),
    Case('method_mul_str', 'lib.ones(2).mul("a")',
         TypeError, "mul(): argument 'other' (position 1) must be Tensor, not str"),
    Case('method_pow_str', 'lib.ones(2).pow("a")',
         TypeError, ('pow() received an invalid combination of arguments - got (str), but '
                     "expected one of:\n * (Tensor exponent)\n      didn't match because some "
                     'of the arguments have invalid types: (!str!)\n * (Number exponent)\n      '
                     "didn't match because some of the arguments have invalid types: (!str!)\n")),
    Case('inplace_mul_str', 'lib.ones(2).mul_("a")',
         TypeError, "mul_(): argument 'other' (position 1) must be Tensor, not str"),
    Case('inplace_div_none', 'lib.ones(2).div_(None)',
         TypeError, "div_(): argument 'other' (position 1) must be Tensor, not NoneType"),
    Case('inplace_pow_str', 'lib.ones(2).pow_("a")',
         TypeError, ('pow_() received an invalid combination of arguments - got (str), but '
                     "expected one of:\n * (Tensor exponent)\n      didn't match because some "
                     'of the arguments have invalid types: (!str!)\n * (Number exponent)\n      '
                     "didn't match because some of the arguments have invalid types: (!str!)\n")),
    Case('inplace_alpha_str', 'lib.ones(2).add_(1, alpha="a")',
         TypeError, "add_(): argument 'alpha' must be Number, not str"),
    Case('inplace_alpha_none', 'lib.ones(2).sub_(1, alpha=None)',
         TypeError, "sub_(): argument 'alpha' must be Number, not NoneType"),
    Case('inplace_alpha_float_int', 'lib.ones(2, dtype=lib.int64).add_(1, alpha=2.5)',
         RuntimeError, ('For integral input tensors, argument alpha must not be a floating '
                        'point number.')),
    Case('method_alpha_str', 'lib.ones(2).add(1, alpha="a")',
         TypeError, "add(): argument 'alpha' must be Number, not str"),
    Case('inplace_float_into_int', 'lib.ones(2, dtype=lib.int64).add_(1.5)',
         RuntimeError, "result type Float can't be cast to the desired output type Long"),
    Case('copy_list', 'lib.zeros(2).copy_([1, 2])',
         TypeError, "copy_(): argument 'other' (position 1) must be Tensor, not list"),
    Case('copy_shape', 'lib.ones(2).copy_(lib.ones(3))',
         RuntimeError, ('The size of tensor a (2) must match the size of tensor b (3) at '
                        'non-singleton dimension 0')),
    Case('fill_str', 'lib.ones(2).fill_("a")',
         TypeError, ('fill_() received an invalid combination of arguments - got (str), but '
                     "expected one of:\n * (Tensor value)\n      didn't match because some of "
                     'the arguments have invalid types: (!str!)\n * (Number value)\n      '
                     "didn't match because some of the arguments have invalid types: (!str!)\n")),
    Case('item_many', 'lib.ones(3).item()',
         RuntimeError, 'a Tensor with 3 elements cannot be converted to Scalar'),
    Case('item_empty', 'lib.ones(0).item()',
         RuntimeError, 'a Tensor with 0 elements cannot be converted to Scalar'),
    Case('float_many', 'float(lib.ones(2))',
         ValueError, 'only one element tensors can be converted to Python scalars'),
    Case('bool_many', 'bool(lib.ones(2))',
         RuntimeError, 'Boolean value of Tensor with more than one value is ambiguous'),
    Case('len_0d', 'len(lib.tensor(1.0))',
         TypeError, 'len() of a 0-d tensor'),
    Case('iter_0d', 'iter(lib.tensor(1.0))',
         TypeError, 'iteration over a 0-d tensor'),
    Case('backward_no_grad', 'lib.ones(2).backward()',
         RuntimeError, 'element 0 of tensors does not require grad and does not have a grad_fn'),
    Case('backward_no_grad_scalar', 'lib.ones(1).sum().backward()',
         RuntimeError, 'element 0 of tensors does not require grad and does not have a grad_fn'),
    Case('backward_non_scalar', 'lib.ones(2, requires_grad=True).backward()',
         RuntimeError, 'grad can be implicitly created only for scalar outputs'),
    Case('backward_shape', '(lib.ones(2, requires_grad=True) * 2).backward(lib.ones(3))',
         RuntimeError, ('Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and '
                        'output[0] has a shape of torch.Size([2]).')),
    Case('numpy_requires_grad', 'lib.ones(2, requires_grad=True).numpy()',
         RuntimeError, ("Can't call numpy() on Tensor that requires grad. Use "
                        'tensor.detach().numpy() instead.')),
    Case('numpy_force_int', 'lib.ones(2).numpy(force=1)',
         TypeError, "numpy(): argument 'force' must be bool, not int"),
    Case('broadcast_add', 'lib.ones(3) + lib.ones(2)',
         RuntimeError, ('The size of tensor a (3) must match the size of tensor b (2) at '
                        'non-singleton dimension 0')),
    Case('broadcast_mul', 'lib.ones(2, 3) * lib.ones(3, 2)',
         RuntimeError, ('The size of tensor a (3) must match the size of tensor b (2) at '
                        'non-singleton dimension 1')),
    Case('broadcast_compare', 'lib.ones(3) <= lib.ones(2)',
         RuntimeError, ('The size of tensor a (3) must match the size of tensor b (2) at '
                        'non-singleton dimension 0')),
    Case('view_size', 'lib.ones(2).view(3)',
         RuntimeError, "shape '[3]' is invalid for input of size 2"),
    Case('view_two_inferred', 'lib.ones(6).view(-1, -1)',
         RuntimeError, 'only one dimension can be inferred'),
    Case('view_stride', 'lib.ones(2, 3).t().view(6)',
         RuntimeError, ("view size is not compatible with input tensor's size and stride (at "
                        'least one dimension spans across two contiguous subspaces). Use '
                        '.reshape(...) instead.')),
    Case('reshape_size', 'lib.ones(2, 3).reshape(4)',
         RuntimeError, "shape '[4]' is invalid for input of size 6"),
    Case('sum_dim_range', 'lib.ones(2, 3).sum(2)',
         IndexError, 'Dimension out of range (expected to be in range of [-2, 1], but got 2)'),
    Case('sum_dim_negative', 'lib.ones(2, 3).sum(-3)',
         IndexError, 'Dimension out of range (expected to be in range of [-2, 1], but got -3)'),
    Case('size_dim_range', 'lib.ones(2).size(2)',
         IndexError, 'Dimension out of range (expected to be in range of [-1, 0], but got 2)'),
    Case('size_dim_str', 'lib.ones(2).size("a")',
         TypeError, "size(): argument 'dim' (position 1) must be int, not str"),
    Case('permute_count', 'lib.ones(2, 3).permute(0)',
         RuntimeError, ('permute(sparse_coo): number of dimensions in the tensor input does not '
                        'match the length of the desired ordering of dimensions i.e. '
                        'input.dim() = 2 is not equal to len(dims) = 1')),
    Case('transpose_range', 'lib.ones(2, 3).transpose(0, 2)',
         IndexError, 'Dimension out of range (expected to be in range of [-2, 1], but got 2)'),
    Case('t_3d', 'lib.ones(2, 3, 4).t()',
         RuntimeError, 't() expects a tensor with <= 2 dimensions, but self is 3D'),
    Case('cat_dims', 'lib.cat([lib.ones(2), lib.ones(2, 1)])',
         RuntimeError, 'Tensors must have same number of dimensions: got 1 and 2'),
    Case('cat_sizes', 'lib.cat([lib.ones(2, 3), lib.ones(3, 2)])',
         RuntimeError, ('Sizes of tensors must match except in dimension 0. Expected size 3 but '
                        'got size 2 for tensor number 1 in the list.')),
    Case('cat_empty', 'lib.cat([])',
         ValueError, 'torch.cat(): expected a non-empty list of Tensors'),
    Case('cat_tensor', 'lib.cat(lib.ones(2))',
         TypeError, "cat(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"),
    Case('stack_sizes', 'lib.stack([lib.ones(2), lib.ones(3)])',
         RuntimeError, ('stack expects each tensor to be equal size, but got [2] at entry 0 and '
                        '[3] at entry 1')),
    Case('expand_size', 'lib.ones(2).expand(3)',
         RuntimeError, ('The expanded size of the tensor (3) must match the existing size (2) '
                        'at non-singleton dimension 0.  Target sizes: [3].  Tensor sizes: [2]')),
    Case('squeeze_range', 'lib.ones(2, 3).squeeze(3)',
         IndexError, 'Dimension out of range (expected to be in range of [-2, 1], but got 3)'),
    Case('unsqueeze_range', 'lib.ones(2).unsqueeze(3)',
         IndexError, 'Dimension out of range (expected to be in range of [-2, 1], but got 3)'),
    Case('mean_int', 'lib.ones(2, dtype=lib.int64).mean()',
         RuntimeError, ('mean(): could not infer output dtype. Input dtype must be either a '
                        'floating point or complex dtype. Got: Long')),
    Case('bitwise_and_float', 'lib.ones(2) & lib.ones(2)',
         NotImplementedError, '"bitwise_and_cpu" not implemented for \'Float\''),
    Case('bitwise_and_int_float', 'lib.ones(2, dtype=lib.int64) & 1.5',
         NotImplementedError, '"bitwise_and_cpu" not implemented for \'Float\''),
    Case('invert_float', '~lib.ones(2)',
         TypeError, '~ (operator.invert) is only implemented on integer and Boolean-type tensors'),
    Case('where_not_bool', 'lib.where(lib.ones(2), lib.ones(2), lib.zeros(2))',
         RuntimeError, ('where expected condition to be a boolean tensor, but got a tensor with '
                        'dtype Float')),
    Case('clamp_nothing', 'lib.clamp(lib.ones(2))',
         RuntimeError, "torch.clamp: At least one of 'min' or 'max' must not be None"),
    Case('eye_negative', 'lib.eye(-1)',
         RuntimeError, 'n must be greater or equal to 0, got -1'),
    Case('arange_zero_step', 'lib.arange(0, 10, 0)',
         RuntimeError, 'step must be nonzero'),
    Case('arange_sign', 'lib.arange(10, 0, 1)',
         RuntimeError, 'upper bound and lower bound inconsistent with step sign'),
    Case('linspace_negative', 'lib.linspace(0, 1, -1)',
         RuntimeError, 'number of steps must be non-negative'),
    Case('randint_bounds', 'lib.randint(5, 3, (2,))',
         RuntimeError, "random_ expects 'from' to be less than 'to', but got from=5 >= to=3"),
    Case('manual_seed_str', 'lib.manual_seed("a")',
         ValueError, "invalid literal for int() with base 10: 'a'"),
    Case('default_dtype_int', 'lib.set_default_dtype(lib.int64)',
         TypeError, 'only floating-point types are supported as the default type'),
    Case('full_str', 'lib.full((2,), "a")',
         TypeError, "full(): argument 'fill_value' (position 2) must be Number, not str"),
    Case('full_none', 'lib.full((2,), None)',
         TypeError, "full(): argument 'fill_value' (position 2) must be Number, not NoneType"),
    Case('to_cuda', 'lib.ones(2).to("cuda")',
         AssertionError, 'Torch not compiled with CUDA enabled'),
    Case('index_out_of_range', 'lib.ones(2, 2)[lib.tensor([2])]',
         IndexError, 'index 2 is out of bounds for dimension 0 with size 2'),
    Case('index_negative', 'lib.ones(2, 2)[-3]',
         IndexError, 'index -3 is out of bounds for dimension 0 with size 2'),
    Case('index_too_many', 'lib.arange(12).reshape(3, 4)[1, 2, 3]',
         IndexError, 'too many indices for tensor of dimension 2'),
    Case('index_mask_shape', 'lib.ones(2, 2)[lib.tensor([True])]',
         IndexError, ('The shape of the mask [1] at index 0 does not match the shape of the '
                      'indexed tensor [2, 2] at index 0')),
    Case('index_0d', 'lib.tensor(5)[0]',
         IndexError, ('invalid index of a 0-dim tensor. Use `tensor.item()` in Python or '
                      '`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number')),
    Case('index_float', 'lib.ones(2, 2)[1.5]',
         IndexError, ('only integers, slices (`:`), ellipsis (`...`), None and long or byte '
                      'Variables are valid indices (got float)')),
    Case('index_float_tensor', 'lib.ones(2, 2)[lib.tensor([0.5])]',
         IndexError, 'tensors used as indices must be long, int, byte or bool tensors'),
    Case('grad_assign_size', 'setattr(lib.ones(2, requires_grad=True), "grad", lib.ones(3))',
         RuntimeError, ("attempting to assign a gradient of size '[3]' to a tensor of size "
                        "'[2]'. Please ensure that the gradient and the tensor are the same "
                        'size')),
    Case('grad_assign_type', 'setattr(lib.ones(2, requires_grad=True), "grad", [1.0, 2.0])',
         TypeError, 'assigned grad expected to be a Tensor or None but got grad of type list'),
    Case('retain_grad_no_grad', 'lib.ones(2).retain_grad()',
         RuntimeError, "can't retain_grad on Tensor that has requires_grad=False"),
    Case('hook_no_grad', 'lib.ones(2).register_hook(lambda g: g)',
         RuntimeError, "cannot register a hook on a tensor that doesn't require gradient"),
    Case('leaf_inplace', 'lib.ones(2, requires_grad=True).add_(1)',
         RuntimeError, ('a leaf Variable that requires grad is being used in an in-place '
                        'operation.')),
    Case('non_leaf_requires_grad_off',
         '(lib.ones(2, requires_grad=True) * 2).requires_grad_(False)',
         RuntimeError, ('you can only change requires_grad flags of leaf variables. If you want '
                        "to use a computed variable in a subgraph that doesn't require "
                        'differentiation use var_no_grad = var.detach().')),
    Case('detach_view', 'lib.ones(2, requires_grad=True)[0].detach_()',
         RuntimeError, ("Can't detach views in-place. Use detach() instead. If you are using "
                        'DistributedDataParallel (DDP) for training, and '
                        'gradient_as_bucket_view is set as True, gradients are views of DDP '
                        'buckets, and hence detach_() cannot be called on these gradients. To '
                        'fix this error, please refer to the Optimizer.zero_grad() function in '
                        'torch/optim/optimizer.py as the solution.')),
    Case('sum_list', 'lib.sum([1, 2])',
         TypeError, "sum(): argument 'input' (position 1) must be Tensor, not list"),
    Case('sum_dim_str', 'lib.ones(2, 3).sum("a")',
         TypeError, ('sum() received an invalid combination of arguments - got (str), but '
                     'expected one of:\n * (*, gradviz.dtype dtype = None)\n * (tuple of ints '
                     'dim, bool keepdim = False, *, gradviz.dtype dtype = None)\n')),
    Case('mean_dtype_int', 'lib.ones(2).mean(dtype=lib.int64)',
         RuntimeError, ('mean(): could not infer output dtype. Optional dtype must be either a '
                        'floating point or complex dtype. Got: Long')),
    Case('int_negative_power', 'lib.tensor([2]) ** -1',
         RuntimeError, 'Integers to negative integer powers are not allowed.'),
    Case('inplace_broadcast', 'lib.ones(2).add_(lib.ones(3))',
         RuntimeError, ('The size of tensor a (2) must match the size of tensor b (3) at '
                        'non-singleton dimension 0')),
    Case('inplace_output_shape', 'lib.ones(1).add_(lib.ones(3))',
         RuntimeError, "output with shape [1] doesn't match the broadcast shape [3]"),
    Case('bool_sub', 'lib.ones(2, dtype=lib.bool) - lib.ones(2, dtype=lib.bool)',
         RuntimeError, ('Subtraction, the `-` operator, with two bool tensors is not supported. '
                        'Use the `^` or `logical_xor()` operator instead.')),
    Case('bool_neg', '-lib.ones(2, dtype=lib.bool)',
         RuntimeError, ('Negation, the `-` operator, on a bool tensor is not supported. If you '
                        'are trying to invert a mask, use the `~` or `logical_not()` operator '
                        'instead.')),
    Case('setitem_leaf', 'lib.ones(3, requires_grad=True).__setitem__(0, 2.0)',
         RuntimeError, ('a view of a leaf Variable that requires grad is being used in an '
                        'in-place operation.')),
]


def _params():
    for case in CASES:
        marks = ()
        if case.outside:
            marks = pytest.mark.xfail(strict=True, reason=case.outside)
        yield pytest.param(case, id=case.name, marks=marks)


def _run(lib, expr):
    return eval(expr, {"lib": lib, "np": np})  # noqa: S307 - our own expressions


def _text(exc, first_sentence):
    text = str(exc)
    return text.split(". ")[0] + "." if first_sentence else text


@pytest.mark.parametrize("case", list(_params()))
def test_misuse_raises_torchs_error(case, raises_as_torch, maybe_torch):
    torch_call = None if maybe_torch is None else (lambda: _run(maybe_torch, case.expr))
    if case.first_sentence:
        with pytest.raises(case.exc) as got:
            _run(gradviz, case.expr)
        assert _text(got.value, True) == case.message
        if torch_call is not None:
            with pytest.raises(case.exc) as want:
                torch_call()
            assert _text(want.value, True) == case.message
        return
    raises_as_torch(lambda: _run(gradviz, case.expr), case.exc, case.message, torch_call)


def test_cases_have_unique_names():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names)) > 100


def test_unknown_attributes():
    with pytest.raises(AttributeError, match="module 'gradviz' has no attribute 'nonexistent'"):
        gradviz.nonexistent  # noqa: B018
    with pytest.raises(AttributeError, match="'Tensor' object has no attribute 'no_such_method'"):
        gradviz.ones(2).no_such_method()
