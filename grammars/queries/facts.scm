; One pass over a C file. Each capture marks a region; src/core/facts/extractFacts.ts reads its text.

(function_definition
  declarator: (_) @function.declarator
  body: (compound_statement) @function.body) @function

(declaration) @declaration

(type_definition) @typedef

(struct_specifier body: (field_declaration_list)) @struct
(union_specifier body: (field_declaration_list)) @struct

(preproc_function_def) @macro
(preproc_def) @macro

; Enums ride with structs: the reader tells them apart by node type (no new region kind to pack and move).
(enum_specifier body: (enumerator_list)) @struct

(call_expression
  function: (_) @call.function
  arguments: (argument_list) @call.arguments) @call

(assignment_expression
  left: (_) @assignment.left
  right: (_) @assignment.right) @assignment

(compound_literal_expression
  type: (type_descriptor) @literal.type
  value: (initializer_list) @literal.value)

(ERROR) @error
(MISSING) @error
