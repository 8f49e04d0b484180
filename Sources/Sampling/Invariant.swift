/// Checks an internal invariant in debug builds; compiled out of release builds (the habit of
/// swift-collections' `_internalInvariant`), so hot loops pay nothing for it.
@inline(__always)
func internalInvariant(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = "",
    file: StaticString = #fileID, line: UInt = #line
) {
    #if DEBUG
    if !condition() { preconditionFailure("internal invariant failed: \(message())", file: file, line: line) }
    #endif
}
