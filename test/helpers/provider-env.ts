/**
 * The provider variables of the env auto-config, all blanked (empty counts as unset), so a
 * test's gateway never picks up keys from the machine running the tests.
 */
export const NO_PROVIDER_ENV: Readonly<Record<string, string>> = {
  OPENAI_API_KEY: '',
  OPENAI_BASE_URL: '',
  OPENAI_ORG_ID: '',
  OPENAI_PROJECT_ID: '',
  AZURE_OPENAI_API_KEY: '',
  AZURE_OPENAI_ENDPOINT: '',
  OPENAI_API_VERSION: '',
};
