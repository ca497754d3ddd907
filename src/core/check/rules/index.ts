// Loads every rule into the checker's table.
import './lifetimeRules';
import './threadRules';
