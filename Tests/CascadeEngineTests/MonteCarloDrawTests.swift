@testable import CascadeEngine
import Testing

/// The Monte Carlo generator and the draws it gives: golden values, and independence of how the
/// draws are split.
struct MonteCarloDrawTests {
    /// xoshiro256** from the state (1, 2, 3, 4) and splitmix64 from 1234567: the reference C's
    /// outputs (the test vectors of the `rand_xoshiro` crate, checked with a Python transcription).
    @Test func theGeneratorsGiveTheReferenceOutputs() {
        var xoshiro = Xoshiro256StarStar(state: (1, 2, 3, 4))
        #expect((0..<10).map { _ in xoshiro.next() } == [
            11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600,
            16172922978634559625, 8476171486693032832, 10595114339597558777, 2904607092377533576,
        ])
        var splitmix = SplitMix64(state: 1234567)
        #expect((0..<5).map { _ in splitmix.next() } == [
            6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821,
        ])
    }

    /// Draw d's generator is keyed by (seed, d): golden outputs for seed 42, draws 0 and 7.
    @Test func eachDrawHasAGeneratorKeyedBySeedAndDraw() {
        var first = Xoshiro256StarStar(seed: 42, draw: 0)
        #expect((0..<4).map { _ in first.next() } == [12998176644305119510, 15908546645150361499, 14822989915559006666, 4178543045052290899])
        var seventh = Xoshiro256StarStar(seed: 42, draw: 7)
        #expect((0..<4).map { _ in seventh.next() } == [8648341468278854358, 11953947218260288439, 5815881157163534919, 8099617433317985298])
    }

    static let three = MonteCarlo(draws: 100, seed: 42, distributions: [
        "a": .normal(mean: 0.025, sd: 0.005), "b": .uniform(min: 0.01, max: 0.03), "c": .triangular(min: 0, mode: 0.5, max: 2),
    ])

    /// Box–Muller normals and the inverse CDFs at Φ: the values of draws 0–2 for seed 42, as a
    /// Python transcription of docs/propagation.md's recipe computes them (to 1e-15: the C
    /// library's `log`, `cos` and `erfc` are the same ones).
    @Test func drawValuesFollowTheDocumentedRecipe() {
        let golden: [[Double]] = [
            [0.03006780402214164, 0.01234763643025313, 0.9108338901228068],
            [0.024044735237803008, 0.016551724120374492, 0.3676776038400781],
            [0.017454036995769823, 0.01679987702820167, 1.6079079867553165],
        ]
        let values = DrawSampler(Self.three).values(draws: 0..<3)
        for (row, expected) in zip(values, golden) {
            for (x, y) in zip(row, expected) { #expect(abs(x - y) <= 1e-15 * max(1, abs(y)), "\(row) vs \(expected)") }
        }
    }

    /// Draws 0..<N are the same numbers however they are split into chunks.
    @Test(arguments: [1, 37, 99])
    func drawsDoNotDependOnChunking(_ split: Int) {
        let sampler = DrawSampler(Self.three)
        let whole = sampler.values(draws: 0..<100)
        let chunked = sampler.values(draws: 0..<split) + sampler.values(draws: split..<100)
        #expect(whole == chunked)
        #expect(Set(whole.map { $0[0] }).count == 100, "the draws repeat")
    }

    /// A correlation is applied through its Cholesky factor: over 20 000 draws the sample
    /// correlation of two normals is the matrix's (±0.03), and an uncorrelated pair's is ≈ 0.
    @Test func correlatedNormalsHaveTheMatrixCorrelation() throws {
        let factor = try #require(Correlation.choleskyFactor([1, 0.8, 0.8, 1], n: 2))
        let mc = MonteCarlo(draws: 20_000, seed: 3, distributions: ["x": .normal(mean: 0, sd: 1), "y": .normal(mean: 5, sd: 2), "z": .normal(mean: 0, sd: 1)],
                            correlation: Correlation(variables: ["x", "y"], matrix: [1, 0.8, 0.8, 1], factor: factor))
        let values = DrawSampler(mc).values(draws: 0..<20_000)
        func correlation(_ a: Int, _ b: Int) -> Double {
            let n = Double(values.count)
            let ma = values.reduce(0) { $0 + $1[a] } / n, mb = values.reduce(0) { $0 + $1[b] } / n
            var sab = 0.0, saa = 0.0, sbb = 0.0
            for v in values { sab += (v[a] - ma) * (v[b] - mb); saa += (v[a] - ma) * (v[a] - ma); sbb += (v[b] - mb) * (v[b] - mb) }
            return sab / (saa * sbb).squareRoot()
        }
        #expect(abs(correlation(0, 1) - 0.8) < 0.03)
        #expect(abs(correlation(0, 2)) < 0.03)
        #expect(Correlation.choleskyFactor([1, 1, 1, 1], n: 2) == [1, 0, 1, 0], "a perfect correlation is positive semi-definite")
        #expect(Correlation.choleskyFactor([1, -0.9, -0.9, -0.9, 1, -0.9, -0.9, -0.9, 1], n: 3) == nil)
    }
}
