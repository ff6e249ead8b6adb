// SDL keys -> PC keyboard scancode set 1 (see views.h).
//
// SDL_Scancode is the USB HID usage of the key's position (HID Usage Tables,
// Keyboard/Keypad page 0x07), so the table maps positions, not characters:
// the guest's keymap decides what a key means, as on a real PC. Set 1 codes
// are the IBM PC/XT ones that an 8042 with translation on delivers (IBM PS/2
// Technical Reference, keyboard scan code set 1); break = make | 0x80, and the
// keys added with the 101-key keyboard carry an 0xE0 prefix.
#include "views.h"

#include <array>

namespace bs::frontend::debug::views {

namespace {

constexpr uint16_t kExt = 0xe000;  // "E0 xx"

constexpr std::array<uint16_t, SDL_NUM_SCANCODES> make_table() {
    std::array<uint16_t, SDL_NUM_SCANCODES> t{};
    // Letters, in SDL's alphabetical order (A = 4 ... Z = 29).
    constexpr uint8_t letters[26] = {0x1e, 0x30, 0x2e, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25, 0x26, 0x32,
                                     0x31, 0x18, 0x19, 0x10, 0x13, 0x1f, 0x14, 0x16, 0x2f, 0x11, 0x2d, 0x15, 0x2c};
    for (int i = 0; i < 26; ++i) t[SDL_SCANCODE_A + i] = letters[i];
    for (int i = 0; i < 10; ++i) t[SDL_SCANCODE_1 + i] = uint16_t(0x02 + i);  // 1..9, 0 -> 02..0B
    t[SDL_SCANCODE_RETURN] = 0x1c;
    t[SDL_SCANCODE_ESCAPE] = 0x01;
    t[SDL_SCANCODE_BACKSPACE] = 0x0e;
    t[SDL_SCANCODE_TAB] = 0x0f;
    t[SDL_SCANCODE_SPACE] = 0x39;
    t[SDL_SCANCODE_MINUS] = 0x0c;
    t[SDL_SCANCODE_EQUALS] = 0x0d;
    t[SDL_SCANCODE_LEFTBRACKET] = 0x1a;
    t[SDL_SCANCODE_RIGHTBRACKET] = 0x1b;
    t[SDL_SCANCODE_BACKSLASH] = 0x2b;
    t[SDL_SCANCODE_NONUSHASH] = 0x2b;
    t[SDL_SCANCODE_SEMICOLON] = 0x27;
    t[SDL_SCANCODE_APOSTROPHE] = 0x28;
    t[SDL_SCANCODE_GRAVE] = 0x29;
    t[SDL_SCANCODE_COMMA] = 0x33;
    t[SDL_SCANCODE_PERIOD] = 0x34;
    t[SDL_SCANCODE_SLASH] = 0x35;
    t[SDL_SCANCODE_NONUSBACKSLASH] = 0x56;
    t[SDL_SCANCODE_CAPSLOCK] = 0x3a;
    for (int i = 0; i < 10; ++i) t[SDL_SCANCODE_F1 + i] = uint16_t(0x3b + i);  // F1..F10 -> 3B..44
    t[SDL_SCANCODE_F11] = 0x57;
    t[SDL_SCANCODE_F12] = 0x58;
    t[SDL_SCANCODE_SCROLLLOCK] = 0x46;
    t[SDL_SCANCODE_NUMLOCKCLEAR] = 0x45;
    // The editing and cursor blocks: extended.
    t[SDL_SCANCODE_INSERT] = kExt | 0x52;
    t[SDL_SCANCODE_HOME] = kExt | 0x47;
    t[SDL_SCANCODE_PAGEUP] = kExt | 0x49;
    t[SDL_SCANCODE_DELETE] = kExt | 0x53;
    t[SDL_SCANCODE_END] = kExt | 0x4f;
    t[SDL_SCANCODE_PAGEDOWN] = kExt | 0x51;
    t[SDL_SCANCODE_RIGHT] = kExt | 0x4d;
    t[SDL_SCANCODE_LEFT] = kExt | 0x4b;
    t[SDL_SCANCODE_DOWN] = kExt | 0x50;
    t[SDL_SCANCODE_UP] = kExt | 0x48;
    // The keypad: the old keys keep their XT codes, '/' and Enter are new.
    t[SDL_SCANCODE_KP_DIVIDE] = kExt | 0x35;
    t[SDL_SCANCODE_KP_MULTIPLY] = 0x37;
    t[SDL_SCANCODE_KP_MINUS] = 0x4a;
    t[SDL_SCANCODE_KP_PLUS] = 0x4e;
    t[SDL_SCANCODE_KP_ENTER] = kExt | 0x1c;
    constexpr uint8_t keypad[10] = {0x4f, 0x50, 0x51, 0x4b, 0x4c, 0x4d, 0x47, 0x48, 0x49, 0x52};  // 1..9, 0
    for (int i = 0; i < 10; ++i) t[SDL_SCANCODE_KP_1 + i] = keypad[i];
    t[SDL_SCANCODE_KP_PERIOD] = 0x53;
    // Modifiers: the right-hand Ctrl/Alt and both Windows keys are extended.
    t[SDL_SCANCODE_LCTRL] = 0x1d;
    t[SDL_SCANCODE_LSHIFT] = 0x2a;
    t[SDL_SCANCODE_LALT] = 0x38;
    t[SDL_SCANCODE_LGUI] = kExt | 0x5b;
    t[SDL_SCANCODE_RCTRL] = kExt | 0x1d;
    t[SDL_SCANCODE_RSHIFT] = 0x36;
    t[SDL_SCANCODE_RALT] = kExt | 0x38;
    t[SDL_SCANCODE_RGUI] = kExt | 0x5c;
    t[SDL_SCANCODE_APPLICATION] = kExt | 0x5d;
    return t;
}

constexpr std::array<uint16_t, SDL_NUM_SCANCODES> kSet1 = make_table();

}  // namespace

std::vector<uint8_t> set1_scancodes(SDL_Scancode key, bool down) {
    // Print Screen is sent as a fake Shift around E0 37; Pause has no break
    // code and starts with E1.
    if (key == SDL_SCANCODE_PRINTSCREEN)
        return down ? std::vector<uint8_t>{0xe0, 0x2a, 0xe0, 0x37} : std::vector<uint8_t>{0xe0, 0xb7, 0xe0, 0xaa};
    if (key == SDL_SCANCODE_PAUSE) {
        if (!down) return {};
        return {0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5};
    }
    if (key < 0 || key >= SDL_NUM_SCANCODES || !kSet1[key]) return {};
    const uint16_t code = kSet1[key];
    const uint8_t make = uint8_t(code & 0x7f);
    std::vector<uint8_t> bytes;
    if (code & kExt) bytes.push_back(0xe0);
    bytes.push_back(down ? make : uint8_t(make | 0x80));
    return bytes;
}

}  // namespace bs::frontend::debug::views
