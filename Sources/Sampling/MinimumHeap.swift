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
        elements.withUnsafeMutableBufferPointer { heap in
            // Move the hole up instead of swapping at every level.
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard element < heap[parent] else { break }
                heap[i] = heap[parent]
                i = parent
            }
            heap[i] = element
        }
    }

    mutating func pop() -> Element? {
        guard let last = elements.popLast() else { return nil }
        guard !elements.isEmpty else { return last }
        let first = elements[0]
        elements.withUnsafeMutableBufferPointer { Self.siftDown(last, from: 0, in: $0) }
        return first
    }

    private mutating func siftDown(_ start: Int) {
        let element = elements[start]
        elements.withUnsafeMutableBufferPointer { Self.siftDown(element, from: start, in: $0) }
    }

    /// Puts `element` in the hole at `start` and moves the hole down to where it belongs.
    private static func siftDown(_ element: Element, from start: Int, in heap: UnsafeMutableBufferPointer<Element>) {
        var i = start
        let n = heap.count
        while true {
            let left = 2 * i + 1
            guard left < n else { break }
            var child = left
            if left + 1 < n && heap[left + 1] < heap[left] { child = left + 1 }
            guard heap[child] < element else { break }
            heap[i] = heap[child]
            i = child
        }
        heap[i] = element
    }
}
