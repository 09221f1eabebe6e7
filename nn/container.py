"""``Sequential``: modules applied one after another, each output the next one's input."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .module import Module


class Sequential(Module):
    """``Sequential(Linear(2, 8), ReLU(), Linear(8, 1))``: calls each module in turn.

    The modules are named ``"0"``, ``"1"``, ... (or by the keys of one ordered mapping passed
    instead), so parameters read ``"0.weight"`` as in PyTorch. Supports ``len``, iteration,
    ``seq[i]`` (a slice gives a new Sequential sharing the modules, under their names) and
    ``append``.
    """

    def __init__(self, *modules: Module | Mapping[str, Module]) -> None:
        if len(modules) == 1 and isinstance(modules[0], Mapping):
            items = list(modules[0].items())
        else:
            items = [(str(i), m) for i, m in enumerate(modules)]
        for name, module in items:
            self._add(name, module)

    def _add(self, name: str, module: Any) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"Sequential takes Modules, got {type(module).__name__} for {name!r}")
        setattr(self, name, module)

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end (named by its position); returns self."""
        self._add(str(len(self)), module)
        return self

    def _modules_list(self) -> list[Module]:
        """The modules in order; kept until an attribute changes (every forward walks it)."""
        modules = self.__dict__.get("_modules_in_order")
        if modules is None:
            modules = [module for _, module in self._members() if isinstance(module, Module)]
            self.__dict__["_modules_in_order"] = modules
        return modules

    def __setattr__(self, name: str, value: Any) -> None:
        self.__dict__.pop("_modules_in_order", None)
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        self.__dict__.pop("_modules_in_order", None)
        super().__delattr__(name)

    def register_buffer(self, name: str, array: Any, persistent: bool = True) -> None:
        """``Module.register_buffer``; a buffer may take a module's name, so the list is dropped."""
        self.__dict__.pop("_modules_in_order", None)
        super().register_buffer(name, array, persistent)

    def __len__(self) -> int:
        return len(self._modules_list())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules_list())

    def __getitem__(self, index: int | slice) -> Module:
        if isinstance(index, slice):  # the modules keep their names, as in PyTorch
            named = [(name, m) for name, m in self._members() if isinstance(m, Module)]
            return Sequential(dict(named[index]))
        return self._modules_list()[index]

    def forward(self, x: Any) -> Any:
        for module in self._modules_list():
            # module(x) is module.forward(x) unless its class changes __call__: skip one frame
            x = module.forward(x) if type(module).__call__ is _PLAIN_CALL else module(x)
        return x


_PLAIN_CALL = Module.__call__
