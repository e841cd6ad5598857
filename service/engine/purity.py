"""Tell which expressions are cheap by construction and may be evaluated in the server.

Most conditions, timers, assignees and DMN cells are comparisons of task data with literals:
`amount > 100 and approved`, `"P3D"`, `(tier) == ("gold")`. Such an expression has no loop, no
call that could do unbounded work, and no operator that makes a value larger than the sum of
its operands, so its cost is bounded by the size of the data and of the source (both capped).
It is evaluated in the server process; everything else goes to a sandbox process.
"""

import ast

# Calls allowed by bare name with one positional argument: O(size of the argument) at most.
_CALLS = frozenset({"len", "bool", "str", "int", "float", "abs"})
# +, -, /, //: a result no larger than its operands together; at most this many of them,
# so `x + x + ... + x` cannot build a value many times the size of the task data.
_BINOPS = (ast.Add, ast.Sub, ast.Div, ast.FloorDiv)
_MAX_BINOPS = 8
_UNARY = (ast.Not, ast.USub, ast.UAdd)
_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.Compare, ast.cmpop, ast.Name, ast.Load,
    ast.Constant, ast.Attribute, ast.Subscript, ast.Slice, ast.Tuple, ast.List, ast.Set,
    ast.Dict, ast.IfExp, ast.UnaryOp, ast.BinOp, *_UNARY, *_BINOPS,
)


def is_pure(tree: ast.AST) -> bool:
    """Tell whether an expression tree holds only bounded, call-free operations."""
    binops = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not (
                isinstance(node.func, ast.Name)
                and node.func.id in _CALLS
                and len(node.args) == 1
                and not node.keywords
                and not isinstance(node.args[0], ast.Starred)
            ):
                return False
            continue
        if isinstance(node, ast.BinOp):
            binops += 1
            if not isinstance(node.op, _BINOPS) or binops > _MAX_BINOPS:
                return False
            continue
        if isinstance(node, ast.UnaryOp) and not isinstance(node.op, _UNARY):
            return False
        if not isinstance(node, _NODES):
            return False
    return True
