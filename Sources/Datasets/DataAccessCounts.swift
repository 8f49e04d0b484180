/// How often this process opened an HDF5 file and checked a set of labels: the figures that
/// show the data path does each once per file (`DATATOOL_DATA_ACCESS=1` makes `datatool`
/// print them, and the tests read them).
package final class DataAccessCounts: @unchecked Sendable {
    /// The process's counts.
    package static let shared = DataAccessCounts()

    private let lock = RecursiveLock()
    private var fileOpens = 0
    private var labelValidations = 0

    /// Adds to the counts.
    func add(fileOpens opens: Int = 0, labelValidations validations: Int = 0) {
        lock.withLock {
            fileOpens += opens
            labelValidations += validations
        }
    }

    /// The counts so far.
    package var snapshot: (fileOpens: Int, labelValidations: Int) {
        lock.withLock { (fileOpens, labelValidations) }
    }
}
