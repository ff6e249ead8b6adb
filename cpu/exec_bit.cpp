// Instruction family 'bit' (see families.h). Forms not listed decode to #UD.
#include "families.h"

namespace bs::cpu {

std::span<const Form> forms_bit() { return {}; }

}  // namespace bs::cpu
