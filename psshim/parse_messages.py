"""Parse error messages, verbatim from PowerShell's ParserStrings.resx (English).

Keys are PowerShell's error ids (ParseError.ErrorId); `{0}` is filled by `message()`.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "AmpersandNotAllowed": (
        "The ampersand (&) character is not allowed. The & operator is reserved for future use; "
        'wrap an ampersand in double quotation marks ("&") to pass it as part of a string.'
    ),
    "BadNumericConstant": "The numeric constant {0} is not valid.",
    "DuplicateScriptCommandClause": "Script command clause '{0}' has already been defined.",
    "DuplicateFormalParameter": "Duplicate parameter ${0} in parameter list.",
    "DuplicateKeyInHashLiteral": "Duplicate keys '{0}' are not allowed in hash literals.",
    "EmptyPipeElement": "An empty pipe element is not allowed.",
    "EmptyVariableReference": "An empty ${} variable reference was found. A name is required inside the braces.",
    "EndSquareBracketExpectedAtEndOfAttribute": "Missing ] at end of attribute or type literal.",
    "EndSquareBracketExpectedAtEndOfType": "Missing ] at end of type token.",
    "ExpectedExpression": "An expression was expected after '('.",
    "ExpectedValueExpression": "You must provide a value expression following the '{0}' operator.",
    "ExpressionsMustBeFirstInPipeline": "Expressions are only allowed as the first element of a pipeline.",
    "IfStatementMissingCondition": "Missing condition in if statement after '{0} ('.",
    "IncompleteDollarSubexpressionReference": "$(subexpression) is missing the closing ')'.",
    "IncompleteDollarVariableReference": "${variable} reference starting is missing the closing '}'.",
    "IncompleteString": "Incomplete string token.",
    "InvalidEndOfLine": "The token '{0}' is not a valid statement separator in this version.",
    "InvalidFunctionParameter": (
        "Parameter declarations are a comma-separated list of variable names with optional "
        "initializer expressions."
    ),
    "InvalidLeftHandSide": (
        "The assignment expression is not valid. The input to an assignment operator must be an "
        "object that is able to accept assignments, such as a variable or a property."
    ),
    "InvalidSwitchFlag": "The parameter {0} is not valid for the switch statement.",
    "InvalidVariableReference": (
        "Variable reference is not valid. '$' was not followed by a valid variable name character. "
        "Consider using ${} to delimit the name."
    ),
    "InvalidVariableReferenceWithDrive": (
        "Variable reference is not valid. ':' was not followed by a valid variable name character. "
        "Consider using ${} to delimit the name."
    ),
    "MissingArgument": "Missing argument in parameter list.",
    "MissingArrayIndexExpression": "Array index expression is missing or not valid.",
    "MissingCatchHandlerBlock": "The Catch block is missing its statement block.",
    "MissingCatchOrFinally": "The Try statement is missing its Catch or Finally block.",
    "MissingCurlyBraceInSwitchStatement": "Missing '{' in switch statement.",
    "MissingEndCurlyBrace": "Missing closing '}' in statement block or type definition.",
    "MissingEndParenthesisAfterForeach": (
        "Missing closing ')' after expression part of foreach loop.\n"
        "The correct form is: foreach ($a in $b) {...}"
    ),
    "MissingEndParenthesisAfterStatement": "Missing closing ')' after expression in '{0}' statement.",
    "MissingEndParenthesisInExpression": "Missing closing ')' in expression.",
    "MissingEndParenthesisInFunctionParameterList": "Missing ')' in function parameter list.",
    "MissingEndParenthesisInMethodCall": "Missing ')' in method call.",
    "MissingEndParenthesisInSubexpression": "Missing closing ')' in subexpression.",
    "MissingEndParenthesisInSwitchStatement": "Missing ')' after expression in switch statement.",
    "MissingEndSquareBracket": "Missing ']' after array index expression.",
    "MissingEqualsInHashLiteral": "Missing '=' operator after key in hash literal.",
    "MissingExpression": "Missing expression after '{0}' in pipeline element.",
    "MissingExpressionAfterKeyword": "Missing expression after '{0}' in loop.",
    "MissingExpressionAfterOperator": "Missing expression after unary operator '{0}'.",
    "MissingExpressionAfterToken": "Missing expression after '{0}'.",
    "MissingFileSpecification": "Missing file specification after redirection operator.",
    "MissingFinallyStatementBlock": "The Finally block is missing its statement block.",
    "MissingForeachExpression": (
        "Missing expression in foreach loop.\nThe correct form is: foreach ($a in $b) {...}"
    ),
    "MissingForeachStatement": (
        "Missing statement body in foreach loop.\nThe correct form is: foreach ($a in $b) {...}"
    ),
    "MissingFunctionBody": "Missing function body in function declaration.",
    "MissingInInForeach": (
        "Missing 'in' after variable in foreach loop.\nThe correct form is: foreach ($a in $b) {...}"
    ),
    "MissingLoopStatement": "Missing statement body in {0} loop.",
    "MissingNameAfterKeyword": "Missing name after {0} keyword.",
    "MissingNamedStatementBlock": "Missing statement block after '{0}'.",
    "MissingOpenParenthesisAfterKeyword": "Missing opening '(' after keyword '{0}'.",
    "MissingOpenParenthesisInIfStatement": "Missing '(' after '{0}' in if statement.",
    "MissingPropertyName": "Missing property name after reference operator.",
    "MissingStatementBlock": "Missing statement block after {0} ( condition ).",
    "MissingStatementBlockAfterElse": "Missing statement block after 'else' keyword.",
    "MissingStatementInHashLiteral": "Missing statement after '=' in hash literal.",
    "MissingSwitchConditionExpression": "Missing condition in switch statement clause.",
    "MissingSwitchStatementClause": "Missing statement block in switch statement clause.",
    "MissingTerminatorMultiLineComment": "The terminator '#>' is missing from the multiline comment.",
    "MissingTryStatementBlock": "The Try statement is missing its statement block.",
    "MissingTypeLiteralToken": "Missing type literal.",
    "MissingTypename": "Missing type name after '['.",
    "MissingVariableNameAfterForeach": (
        "Missing variable name after foreach.\nThe correct form is: foreach ($a in $b) {...}"
    ),
    "MissingWhileOrUntilInDoWhile": "Missing while or until keyword in do loop.",
    "MultipleSwitchDefaultClauses": "A switch statement can have only one default clause.",
    "OnlyOneParameterListAllowed": (
        "The param statement cannot be used if arguments were specified in the function declaration."
    ),
    "OpenBraceNeedsToBeBackTickedInVariableName": "Use `{ instead of { in variable names.",
    "ParameterRequiresArgument": "Parameter {0} requires an argument.",
    "PipelineValueRequired": (
        "A switch statement must have one of the following:  '-file file_name' or '( expression )'."
    ),
    "RedirectionNotSupported": "The '{0}' operator is reserved for future use.",
    "ReservedKeywordNotAllowed": "The '{0}' keyword is not supported in this version of the language.",
    "SplattingNotPermitted": (
        "The splatting operator '@' cannot be used to reference variables in an expression. "
        "'@{0}' can be used only as an argument to a command. To reference variables in an "
        "expression use '${0}'."
    ),
    "TerminatorExpectedAtEndOfString": "The string is missing the terminator: {0}.",
    "UnexpectedAttribute": "Unexpected attribute '{0}'.",
    "UnexpectedCharactersAfterHereStringHeader": (
        "No characters are allowed after a here-string header but before the end of the line."
    ),
    "UnexpectedToken": "Unexpected token '{0}' in expression or statement.",
    "UnrecognizedToken": "Unrecognized token in source text.",
    "WhitespaceBeforeHereStringFooter": "White space is not allowed before the string terminator.",
    # Not PowerShell errors: constructs PowerShell accepts that psshim does not implement.
    "PsshimUnsupportedSyntax": "psshim does not support {0}.",
    "PsshimNestingTooDeep": "The script nests blocks, parentheses or brackets more than {0} parser levels deep, "
                            "beyond hvemu's parser limit.",
}


def message(error_id: str, *args: str) -> str:
    """The English message of `error_id` with its `{0}` (and `{1}`) placeholders filled."""
    template = MESSAGES[error_id]
    for number, arg in enumerate(args):
        template = template.replace("{" + str(number) + "}", arg)
    return template
