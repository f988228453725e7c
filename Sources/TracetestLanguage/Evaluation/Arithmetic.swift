import Foundation

// `+ - * /` on two values of the same type, number or duration (language.md §4.5, precedence per DECISIONS.md).
// Numbers are exact decimals (`1.5 * 2` is `3`, `0.1 + 0.2` is `0.3`); integers divide with truncation (`7 / 2` is
// `3`); durations compute in nanoseconds.
enum Arithmetic {
    static func apply(_ op: ArithmeticOperator, _ left: TypedValue, _ right: TypedValue) throws(EvaluationError)
        -> TypedValue
    {
        guard left.type == right.type else { throw EvaluationError(.arithmetic, "types mismatch") }
        switch left.type {
        case .number: return TypedValue(text: try numbers(op, left.text, right.text), type: .number)
        case .duration: return TypedValue(text: String(try durations(op, left.text, right.text)), type: .duration)
        default: throw EvaluationError(.arithmetic, "operation is only allowed on numbers and duration fields")
        }
    }

    private static func numbers(_ op: ArithmeticOperator, _ left: String, _ right: String) throws(EvaluationError)
        -> String
    {
        if op == .divide, let dividend = Int128(left), let divisor = Int128(right) {
            guard divisor != 0 else { throw divisionByZero }
            return String(dividend / divisor)
        }
        guard let a = Decimal(string: left), let b = Decimal(string: right) else {
            throw EvaluationError(.arithmetic, "cannot compute \(left) \(op.rawValue) \(right)")
        }
        var result: Decimal
        switch op {
        case .add: result = a + b
        case .subtract: result = a - b
        case .multiply: result = a * b
        case .divide:
            guard !b.isZero else { throw divisionByZero }
            var quotient = a / b
            result = Decimal()
            NSDecimalRound(&result, &quotient, 15, .plain)
        }
        return result.description
    }

    private static func durations(_ op: ArithmeticOperator, _ left: String, _ right: String) throws(EvaluationError)
        -> Int64
    {
        guard let a = Int64(left), let b = Int64(right) else {
            throw EvaluationError(.arithmetic, "cannot compute \(left) \(op.rawValue) \(right)")
        }
        let (result, overflow): (Int64, Bool)
        switch op {
        case .add: (result, overflow) = a.addingReportingOverflow(b)
        case .subtract: (result, overflow) = a.subtractingReportingOverflow(b)
        case .multiply: (result, overflow) = a.multipliedReportingOverflow(by: b)
        case .divide:
            guard b != 0 else { throw divisionByZero }
            (result, overflow) = a.dividedReportingOverflow(by: b)
        }
        guard !overflow else { throw EvaluationError(.arithmetic, "duration out of range") }
        return result
    }

    private static let divisionByZero = EvaluationError(.arithmetic, "division by zero")
}
