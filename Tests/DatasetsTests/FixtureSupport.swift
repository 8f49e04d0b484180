import Foundation
import TestSupport

/// This target's committed fixtures (`Tests/DatasetsTests/Fixtures`).
let fixtures = FixtureFolder(bundle: .module)
