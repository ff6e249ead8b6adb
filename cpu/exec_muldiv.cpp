// Instruction family 'muldiv' (see families.h). Forms not listed decode to #UD.
#include "families.h"

namespace bs::cpu {

std::span<const Form> forms_muldiv() { return {}; }

}  // namespace bs::cpu
