// A small deterministic PRNG (xoshiro256**) and the value distributions the
// generator draws from: integers that hit boundaries, and floating-point
// values that hit the classes (zero, denormal, infinity, NaN) where
// implementations differ.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace bs::difftest {

inline uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

inline uint64_t hash_str(std::string_view s, uint64_t h = 0xcbf29ce484222325ull) {
    for (char ch : s) h = (h ^ static_cast<uint8_t>(ch)) * 0x100000001b3ull;
    return h;
}

class Rng {
public:
    explicit Rng(uint64_t seed) {
        for (auto& w : s_) w = splitmix64(seed);
    }
    uint64_t next() {
        const uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, n).
    uint64_t below(uint64_t n) { return n ? next() % n : 0; }
    // True with probability pct/100.
    bool chance(unsigned pct) { return below(100) < pct; }
    template <class T, size_t N> const T& pick(const T (&a)[N]) { return a[below(N)]; }

    // An integer register value: random, small, boundary, or 32-bit shaped.
    uint64_t value() {
        static constexpr uint64_t kEdges[] = {
            0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
            0xffffffff, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~0ull - 1,
        };
        switch (below(8)) {
            case 0: case 1: case 2: return next();
            case 3: return below(256);
            case 4: return -static_cast<uint64_t>(below(256) + 1);
            case 5: return pick(kEdges);
            case 6: return static_cast<uint32_t>(next());
            default: return (next() & ~0xffffffffull) | (pick(kEdges) & 0xffffffff);
        }
    }

    uint32_t float32() {
        static constexpr uint32_t kSpecial[] = {
            0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x3f800000, 0xbf800000,
            0x00800000, 0x007fffff, 0x7f7fffff, 0x4f000000, 0xcf000000, 0x5f000000, 0x3f000000, 0x4b000000,
        };
        switch (below(8)) {
            case 0: return pick(kSpecial);
            case 1: return (next() & 0x807fffff) | 0x7f800001;            // NaN (quiet or signalling)
            case 2: return (next() & 0x807fffff);                         // denormal or zero
            case 3: {                                                     // small integer
                float f = static_cast<float>(static_cast<int32_t>(below(2001)) - 1000);
                uint32_t u;
                std::memcpy(&u, &f, 4);
                return u;
            }
            default: {                                                    // normal, exponent near 1
                const uint32_t e = static_cast<uint32_t>(127 - 40 + below(81));
                return (next() & 0x807fffff) | (e << 23);
            }
        }
    }

    uint64_t float64() {
        static constexpr uint64_t kSpecial[] = {
            0, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
            0xfff8000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull, 0x0010000000000000ull,
            0x000fffffffffffffull, 0x7fefffffffffffffull, 0x41e0000000000000ull, 0xc1e0000000000000ull,
            0x43e0000000000000ull, 0x3fe0000000000000ull, 0x4330000000000000ull,
        };
        switch (below(8)) {
            case 0: return pick(kSpecial);
            case 1: return (next() & 0x800fffffffffffffull) | 0x7ff0000000000001ull;
            case 2: return next() & 0x800fffffffffffffull;
            case 3: {
                double d = static_cast<double>(static_cast<int64_t>(below(2001)) - 1000);
                uint64_t u;
                std::memcpy(&u, &d, 8);
                return u;
            }
            default: {
                const uint64_t e = 1023 - 80 + below(161);
                return (next() & 0x800fffffffffffffull) | (e << 52);
            }
        }
    }

    // 80-bit extended value, little-endian in out[0..9].
    void float80(uint8_t* out) {
        uint64_t mant;
        uint16_t se;
        const uint16_t sign = static_cast<uint16_t>((next() & 1) << 15);
        switch (below(10)) {
            case 0: mant = 0; se = 0; break;                                           // zero
            case 1: mant = 0x8000000000000000ull; se = 0x7fff; break;                  // infinity
            case 2: mant = (next() | 0x8000000000000000ull); se = 0x7fff;              // NaN
                    if (mant == 0x8000000000000000ull) mant |= 1;
                    break;
            case 3: mant = next() >> 1; se = 0; break;                                 // denormal
            case 4: mant = next() >> 1; se = static_cast<uint16_t>(1 + below(0x7ffe)); break;  // unnormal
            case 5: {                                                                  // from a double
                const uint64_t d = float64();
                const uint16_t e = static_cast<uint16_t>((d >> 52) & 0x7ff);
                const uint64_t f = d & 0xfffffffffffffull;
                if (e == 0x7ff) { mant = 0x8000000000000000ull | (f << 11); se = 0x7fff; }
                else if (e == 0) { mant = f << 11; se = 0; if (f) { se = 0x3c01; while (!(mant >> 63)) { mant <<= 1; --se; } } }
                else { mant = 0x8000000000000000ull | (f << 11); se = static_cast<uint16_t>(e - 1023 + 16383); }
                std::memcpy(out, &mant, 8);
                const uint16_t w = static_cast<uint16_t>(((d >> 48) & 0x8000) | se);
                std::memcpy(out + 8, &w, 2);
                return;
            }
            case 6: {                                                                  // integer valued
                const uint64_t v = below(100000);
                if (!v) { mant = 0; se = 0; break; }
                const int msb = 63 - __builtin_clzll(v);
                mant = v << (63 - msb);
                se = static_cast<uint16_t>(16383 + msb);
                break;
            }
            default: mant = next() | 0x8000000000000000ull; se = static_cast<uint16_t>(16383 - 70 + below(141)); break;
        }
        se |= sign;
        std::memcpy(out, &mant, 8);
        std::memcpy(out + 8, &se, 2);
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
};

}  // namespace bs::difftest
