"""The BIRD configuration language: grammar-driven parser, typed AST, formatter and linter."""
