// Instruction family 'x87' (see families.h). Forms not listed decode to #UD.
#include "families.h"

namespace bs::cpu {

std::span<const Form> forms_x87() { return {}; }

}  // namespace bs::cpu
