export const pluginId = 'ecr';
