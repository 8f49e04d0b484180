/// A binary min-heap in an array: O(log n) push and pop, O(n) to build.
struct MinimumHeap<Element: Comparable>: Sendable where Element: Sendable {
    private(set) var elements: [Element] = []

    var isEmpty: Bool { elements.isEmpty }
    var count: Int { elements.count }
    var top: Element? { elements.first }

    mutating func removeAll() { elements.removeAll(keepingCapacity: true) }

    /// Replaces the contents with `items` (Floyd's heap construction, O(n)).
    mutating func build(_ items: [Element]) {
        elements = items
        var i = elements.count / 2
        while i > 0 {
            i -= 1
            siftDown(i)
        }
    }

    mutating func push(_ element: Element) {
        elements.append(element)
        var i = elements.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard elements[i] < elements[parent] else { break }
            elements.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Element? {
        guard let last = elements.popLast() else { return nil }
        guard !elements.isEmpty else { return last }
        let first = elements[0]
        elements[0] = last
        siftDown(0)
        return first
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = elements.count
        while true {
            let left = 2 * i + 1
            guard left < n else { return }
            var child = left
            if left + 1 < n && elements[left + 1] < elements[left] { child = left + 1 }
            guard elements[child] < elements[i] else { return }
            elements.swapAt(i, child)
            i = child
        }
    }
}
